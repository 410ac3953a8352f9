package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.github.amlspark.harness.Azurite;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The azureml file system on job outputs and data assets: the shaded jar's file system resolves them
 * through the ARM stub's job and data version JSON (as {@link AddressIT} serves them) to datastore paths on
 * the WASB Azurite, reads and lists them with Spark and the Hadoop API under their own addresses, refuses
 * to write to them, and says what exists when a name is unknown.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FileSystemAddressIT {
  private static final String SECRETS = "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}";
  private static final String LONG_WS = "azureml://subscriptions/" + ArmStub.WORKSPACE.subscriptionId()
      + "/resourceGroups/" + ArmStub.WORKSPACE.resourceGroup() + "/providers/Microsoft.MachineLearningServices/"
      + "workspaces/" + ArmStub.WORKSPACE.name();
  private static final String SHORT_WS = "azureml://subscriptions/" + ArmStub.WORKSPACE.subscriptionId()
      + "/resourcegroups/" + ArmStub.WORKSPACE.resourceGroup() + "/workspaces/" + ArmStub.WORKSPACE.name();
  private static final String MODEL = "azureml://jobs/train_1/outputs/model/paths";
  private static final List<String> OPTIONS = List.of("fs.azureml.workspaceConfig", "fs.azureml.credentialProvider");

  @TempDir
  static Path dir;
  SparkSession spark;
  Configuration hadoop;
  ArmStub arm;
  BlobContainerClient lake;
  Map<String, String> before = new LinkedHashMap<>();

  @BeforeAll
  void setUp() {
    spark = TestEnvironment.spark();
    hadoop = spark.sparkContext().hadoopConfiguration();
    BlobServiceClient blobs = new BlobServiceClientBuilder()
        .connectionString(TestEnvironment.wasbAzurite().connectionString()).buildClient();
    lake = blobs.createBlobContainer("fsa-lake-" + UUID.randomUUID().toString().substring(0, 8));
    BlobContainerClient main = blobs.createBlobContainer("fsa-main-" + UUID.randomUUID().toString().substring(0, 8));
    arm = new ArmStub();
    arm.datastore("lake", "AzureBlob", Azurite.ACCOUNT, lake.getBlobContainerName(), "AccountKey", SECRETS);
    arm.datastore("mainstore", "AzureBlob", Azurite.ACCOUNT, main.getBlobContainerName(), "AccountKey", SECRETS);
    arm.defaultDatastore("mainstore", Azurite.ACCOUNT, main.getBlobContainerName());
    arm.job("train_1", "exp", "Completed", "{"
        + "\"model\": " + ArmStub.output("mlflow_model", LONG_WS + "/datastores/lake/paths/models/train_1") + ", "
        + "\"metrics\": " + ArmStub.output("uri_folder", null) + ", "
        + "\"score\": " + ArmStub.output("uri_file", "azureml://datastores/lake/paths/scores/s.json") + "}");
    put(lake, "models/train_1/MLmodel", "flavors");
    put(lake, "models/train_10/other.bin", "not this job's");
    put(lake, "scores/s.json", "0.93");
    put(lake, "scores/s.json.bak", "not the file");
    put(main, "azureml/train_1/metrics/m.txt", "acc 0.9");
    put(lake, "iris/v1/a.csv", "1,2");
    put(lake, "iris/v2/a.csv", "3,4");
    put(lake, "iris/v20/x.csv", "a sibling folder");
    LinkedHashMap<String, String> versions = new LinkedHashMap<>();
    versions.put("1", LONG_WS + "/datastores/lake/paths/iris/v1/");
    versions.put("2", "azureml://datastores/lake/paths/iris/v2");
    arm.dataAsset("iris", "uri_folder", versions);
    arm.dataAsset("score", "uri_file",
        new LinkedHashMap<>(Map.of("1", "azureml://datastores/lake/paths/scores/s.json")));
    // The options as a user sets them, on the session's Hadoop configuration; the short forms need them.
    OPTIONS.forEach(k -> before.put(k, hadoop.get(k)));
    hadoop.set("fs.azureml.workspaceConfig",
        arm.workspaceConfig(dir.resolve("cfg"), TestEnvironment.wasbAzurite().accountUrl()).toString());
    hadoop.set("fs.azureml.credentialProvider", StaticTokenCredential.class.getName());
  }

  @AfterAll
  void tearDown() {
    before.forEach((k, v) -> {
      if (v == null) {
        hadoop.unset(k);
      } else {
        hadoop.set(k, v);
      }
    });
    arm.close();
  }

  private static void put(BlobContainerClient container, String name, String content) {
    TestEnvironment.put(container, name, content.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> sorted(Dataset<Row> df) {
    return df.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  private static List<String> inputFiles(Dataset<Row> df) {
    return df.selectExpr("input_file_name()").distinct().collectAsList().stream().map(r -> r.getString(0))
        .sorted().toList();
  }

  private FileSystem fs(String address) throws IOException {
    return FileSystem.get(URI.create(address), new Configuration(hadoop));
  }

  private List<String> list(String address) throws IOException {
    return Arrays.stream(fs(address).listStatus(new org.apache.hadoop.fs.Path(address)))
        .map(s -> s.getPath().toString()).sorted().toList();
  }

  @Test
  void aJobOutputReadsAndListsUnderItsOwnAddress() throws IOException {
    Dataset<Row> df = spark.range(4).selectExpr("id", "cast(id % 2 as string) as part");
    df.write().partitionBy("part").parquet("azureml://datastores/lake/paths/models/train_1/table");

    Dataset<Row> back = spark.read().parquet(MODEL + "/table");

    assertEquals(sorted(df.selectExpr("id", "cast(part as int)")), sorted(back.selectExpr("id", "cast(part as int)")));
    List<String> files = inputFiles(back);
    assertTrue(!files.isEmpty() && files.stream().allMatch(f -> f.startsWith(MODEL + "/table/part=")),
        files.toString());
    assertEquals(List.of(MODEL + "/MLmodel", MODEL + "/table"), list(MODEL), "its folder, not train_10's");
    String longForm = LONG_WS + "/jobs/train_1/outputs/model/paths";
    assertEquals(List.of(longForm + "/MLmodel", longForm + "/table"), list(longForm + "/"),
        "the long form lists as itself");
    assertEquals(List.of(SHORT_WS + "/jobs/train_1/outputs/model/paths/MLmodel"),
        list(SHORT_WS + "/jobs/train_1/outputs/model/paths/MLmodel"));
    // An output given no path is at azureml/<job>/<output>/ on the default datastore.
    assertEquals(List.of("[acc 0.9]"), sorted(spark.read().text("azureml://jobs/train_1/outputs/metrics/paths/")));
  }

  @Test
  void aUriFileOutputIsThatFileAlone() throws IOException {
    String score = "azureml://jobs/train_1/outputs/score/paths/";
    Dataset<Row> back = spark.read().text(score);
    assertEquals(List.of("[0.93]"), sorted(back));
    assertEquals(List.of("azureml://jobs/train_1/outputs/score/paths"), inputFiles(back));
    assertTrue(fs(score).getFileStatus(new org.apache.hadoop.fs.Path(score)).isFile());
  }

  @Test
  void dataAssetVersionsReadInTheLongAndShortForms() throws IOException {
    String v1 = SHORT_WS + "/data/iris/versions/1";
    Dataset<Row> back = spark.read().csv(v1);
    assertEquals(List.of("[1,2]"), sorted(back));
    assertEquals(List.of(v1 + "/a.csv"), inputFiles(back));
    assertEquals(List.of(LONG_WS + "/data/iris/versions/2/a.csv"), list(LONG_WS + "/data/iris/versions/2"), "not v20");
    assertEquals(List.of("[3,4]"), sorted(spark.read().csv("azureml://data/iris/versions/2")));
    assertEquals(List.of("[0.93]"), sorted(spark.read().text("azureml://data/score/versions/1")), "a uri_file asset");

    IOException latest = assertThrows(IOException.class, () -> list(SHORT_WS + "/data/iris"));
    assertTrue(latest.getMessage().contains("without a version"), latest.getMessage());
  }

  @Test
  void writingToAJobOutputOrADataAssetIsRefused() throws IOException {
    Exception write = assertThrows(Exception.class,
        () -> spark.range(1).write().mode("append").parquet(MODEL + "/new"));
    AccessDeniedException denied = FileSystemIT.causes(write).stream().filter(AccessDeniedException.class::isInstance)
        .map(AccessDeniedException.class::cast).findFirst().orElseThrow(() -> new AssertionError(write));
    assertTrue(denied.getMessage().contains("read-only") && denied.getMessage().contains("azureml://datastores/"),
        denied.getMessage());
    String asset = "azureml://data/iris/versions/1/b.csv";
    assertThrows(AccessDeniedException.class, () -> fs(asset).create(new org.apache.hadoop.fs.Path(asset)));
    String folder = "azureml://data/iris/versions/1";
    assertThrows(AccessDeniedException.class, () -> fs(folder).delete(new org.apache.hadoop.fs.Path(folder), true));
    assertFalse(lake.listBlobs().stream().anyMatch(b -> b.getName().startsWith("models/train_1/new")
        || b.getName().equals("iris/v1/b.csv")), "nothing written");
    assertTrue(lake.getBlobClient("iris/v1/a.csv").exists(), "nothing deleted");
  }

  @Test
  void unknownNamesAreNotFoundSayingWhatExists() {
    arm.notFound("jobs/ghost", "Job ghost not found.");
    arm.notFound("data/irsi", "Not found.");
    arm.notFound("data/irsi/versions/1", "Not found.");
    arm.notFound("data/iris/versions/9", "Not found.");
    assertNotFound("azureml://jobs/ghost/outputs/model/paths/x", "ghost", "az ml job list");
    assertNotFound("azureml://jobs/train_1/outputs/modle/paths/", "'modle'", "model, metrics, score");
    assertNotFound(SHORT_WS + "/data/irsi/versions/1", "'irsi'", "Known data assets: ", "score");
    assertNotFound("azureml://data/iris/versions/9", "no version '9'", "Its versions: 1, 2");
  }

  private void assertNotFound(String address, String... said) {
    FileNotFoundException e = assertThrows(FileNotFoundException.class,
        () -> fs(address).getFileStatus(new org.apache.hadoop.fs.Path(address)));
    for (String s : said) {
      assertTrue(e.getMessage().contains(s), e.getMessage());
    }
  }
}
