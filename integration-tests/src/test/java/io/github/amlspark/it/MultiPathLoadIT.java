package io.github.amlspark.it;

import io.github.amlspark.spark.SparkInternals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.harness.Azurite;
import io.github.amlspark.harness.LocalWorkspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.JavaConverters;

/**
 * {@code load(p1, p2, ...)}: PySpark's {@code load([p1, p2])} reaches {@code DataFrameReader.load(Seq)}, which
 * hands the data source the paths as a JSON array in the {@code paths} option. The read is the union of the
 * paths' files, each file once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiPathLoadIT {
  static final String FILE_SCHEMA = "path STRING NOT NULL, content BINARY";

  // Static: @BeforeAll writes the config there, before instance fields are injected.
  @TempDir
  static Path dir;
  Path config;
  SparkSession spark = TestEnvironment.spark();

  @BeforeAll
  void seed() {
    BlobContainerClient a = TestEnvironment.newContainer("multia");
    BlobContainerClient b = TestEnvironment.newContainer("multib");
    for (String name : List.of("x/1.txt", "x/sub/2.txt", "y/3.txt", "z/4.txt")) {
      TestEnvironment.put(a, name, bytes("a:" + name));
    }
    TestEnvironment.put(b, "x/1.txt", bytes("b:x/1.txt"));
    TestEnvironment.put(b, "w/5.txt", bytes("b:w/5.txt"));
    String account = TestEnvironment.azurite().accountUrl();
    config = new LocalWorkspace()
        .withKeyDatastore("a", account, a.getBlobContainerName(), Azurite.ACCOUNT_KEY)
        .withKeyDatastore("b", account, b.getBlobContainerName(), Azurite.ACCOUNT_KEY)
        .writeTo(dir.resolve("config.json"));
  }

  private DataFrameReader reader() {
    return spark.read().format("azureml").option("workspaceConfig", config.toString());
  }

  /** As PySpark calls it: {@code load} with a Scala Seq of the paths. */
  private static Dataset<Row> loadSeq(DataFrameReader reader, String... paths) {
    return reader.load(JavaConverters.asScalaBuffer(List.of(paths)).toSeq());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Object[] file(String datastore, String path) {
    return new Object[] {path, bytes(datastore + ":" + path)};
  }

  @Test
  void overlappingPathsReadEachFileOnce() {
    Dataset<Row> df = loadSeq(reader(), "azureml://datastores/a/paths/x/", "azureml://datastores/a/paths/x/sub/",
        "azureml://datastores/a/paths/y/");
    DataFrames.assertSameRows(DataFrames.of(FILE_SCHEMA, file("a", "x/1.txt"), file("a", "x/sub/2.txt"),
        file("a", "y/3.txt")), df.select("path", "content"));
    assertTrue(SparkInternals.queryExecution(df).executedPlan().toString().contains("prefix=x/sub/"),
        "explain names every path: " + SparkInternals.queryExecution(df).executedPlan());
  }

  @Test
  void pathsOfDifferentDatastoresAndTheVarargsForm() {
    Dataset<Row> df = reader().load("azureml://datastores/a/paths/y/", "azureml://datastores/b/paths/w/");
    DataFrames.assertSameRows(DataFrames.of(FILE_SCHEMA, file("a", "y/3.txt"), file("b", "w/5.txt")),
        df.select("path", "content"));
    // The same path in two datastores is two files: a listing shows both.
    assertEquals(List.of("x/1.txt", "x/1.txt"), reader().load("azureml://datastores/a/paths/x/1",
        "azureml://datastores/b/paths/x/").select("path").collectAsList().stream().map(r -> r.getString(0)).toList());
  }

  @Test
  void aDownloadOfSeveralPathsLandsTheUnion() {
    Path out = dir.resolve("union");
    List<Row> report = loadSeq(reader().option("outputFolder", out.toString()).option("checkMd5", "true"),
        "azureml://datastores/a/paths/x/", "azureml://datastores/a/paths/x/sub/",
        "azureml://datastores/b/paths/w/").collectAsList();
    assertEquals(List.of("w/5.txt TRANSFERRED", "x/1.txt TRANSFERRED", "x/sub/2.txt TRANSFERRED"),
        report.stream().map(r -> r.getAs("path") + " " + r.getAs("status")).sorted().toList());
    assertArrayEquals(bytes("a:x/sub/2.txt"), TestEnvironment.read(out.resolve("x/sub/2.txt")));
    assertArrayEquals(bytes("b:w/5.txt"), TestEnvironment.read(out.resolve("w/5.txt")));
  }

  @Test
  void aDownloadWhosePathsHoldTwoFilesAtOnePlaceIsRefusedBeforeAnyTransfer() {
    Path out = dir.resolve("clash");
    Exception e = assertThrows(Exception.class, () -> reader().option("outputFolder", out.toString())
        .load("azureml://datastores/a/paths/x/", "azureml://datastores/b/paths/x/").collectAsList());
    String message = StringOptionsIT.messages(e);
    assertTrue(message.contains("two different files at x/1.txt (in datastore a and in datastore b)"), message);
    assertFalse(Files.exists(out.resolve("x/1.txt")));
  }

  @Test
  void sqlTakesThePathsOptionAsAJsonArray() {
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW aml_paths USING azureml OPTIONS (workspaceConfig '" + config
        + "', paths '[\"azureml://datastores/a/paths/z/\", \"azureml://datastores/b/paths/w/\"]')");
    DataFrames.assertSameRows(DataFrames.of(FILE_SCHEMA, file("a", "z/4.txt"), file("b", "w/5.txt")),
        spark.sql("SELECT path, content FROM aml_paths"));
    Exception e = assertThrows(Exception.class, () -> reader().option("paths", "azureml://datastores/a/paths/z/")
        .load().collectAsList());
    assertTrue(StringOptionsIT.messages(e).contains("Option 'paths' must be a JSON array of azureml:// URIs"),
        StringOptionsIT.messages(e));
  }
}
