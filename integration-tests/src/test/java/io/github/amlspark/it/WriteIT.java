package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code df.write.format("azureml")}: rows of path plus content or sourceFile become blobs. */
class WriteIT {
  @TempDir
  Path dir;
  BlobContainerClient container;
  Path config;
  SparkSession spark = TestEnvironment.spark();

  @BeforeEach
  void setUp() {
    container = TestEnvironment.newContainer("write");
    config = TestEnvironment.workspaceConfig(dir, "ds", container);
  }

  private Map<String, BlobItem> blobs() {
    return container.listBlobs().stream().collect(Collectors.toMap(BlobItem::getName, b -> b));
  }

  private Dataset<Row> contentRows(Object[]... rows) {
    StructType schema = new StructType().add("path", DataTypes.StringType).add("content", DataTypes.BinaryType);
    return spark.createDataFrame(java.util.Arrays.stream(rows).map(RowFactory::create).toList(), schema);
  }

  @Test
  void contentRowsAreAppendedUnderThePathWithTheirMd5() throws Exception {
    byte[] big = new byte[5 * 1024 * 1024 + 11];
    new Random(3).nextBytes(big);
    contentRows(new Object[] {"a.txt", "alpha".getBytes(StandardCharsets.UTF_8)},
        new Object[] {"sub/big.bin", big})
        .write().format("azureml").option("workspaceConfig", config.toString()).option("datastore", "ds")
        .option("path", "baz").mode("append").save();

    Map<String, BlobItem> blobs = blobs();
    assertEquals(List.of("baz/a.txt", "baz/sub/big.bin"), blobs.keySet().stream().sorted().toList());
    assertArrayEquals(MessageDigest.getInstance("MD5").digest(big), blobs.get("baz/sub/big.bin").getProperties().getContentMd5());
    assertArrayEquals(big, container.getBlobClient("baz/sub/big.bin").downloadContent().toBytes());
    // Read back through the data source: the same rows, under the path.
    DataFrames.assertSameRows(DataFrames.of("path STRING NOT NULL, content BINARY",
            new Object[] {"baz/a.txt", "alpha".getBytes(StandardCharsets.UTF_8)},
            new Object[] {"baz/sub/big.bin", big}),
        spark.read().format("azureml").option("workspaceConfig", config.toString()).option("datastore", "ds")
            .option("prefix", "baz/").load().select("path", "content"));
  }

  @Test
  void sourceFileRowsStreamLocalFilesAndUrisWork() throws Exception {
    Path f = Files.writeString(dir.resolve("local.txt"), "from disk");
    StructType schema = new StructType().add("path", DataTypes.StringType).add("sourceFile", DataTypes.StringType);
    spark.createDataFrame(List.of(RowFactory.create("x/local.txt", f.toString())), schema)
        .write().format("azureml").option("workspaceConfig", config.toString()).mode(SaveMode.Append)
        .save("azureml://datastores/ds/paths/up");
    assertEquals("from disk", container.getBlobClient("up/x/local.txt").downloadContent().toString());
  }

  @Test
  void otherSaveModesAndMissingColumnsSayWhatToDo() {
    Dataset<Row> df = contentRows(new Object[] {"a.txt", new byte[] {1}});
    // Overwrite reaches the connector, which explains; Spark itself refuses ErrorIfExists and Ignore for
    // every DSv2 source, with its own message naming Append.
    Exception overwrite = assertThrows(Exception.class, () -> df.write().format("azureml")
        .option("workspaceConfig", config.toString()).option("datastore", "ds").mode(SaveMode.Overwrite).save());
    assertTrue(overwrite.getMessage().contains("mode(\"append\")"), overwrite.getMessage());
    assertTrue(overwrite.getMessage().contains("overwrite=true|false|ifDifferent"), overwrite.getMessage());
    for (SaveMode mode : new SaveMode[] {SaveMode.ErrorIfExists, SaveMode.Ignore}) {
      Exception e = assertThrows(Exception.class, () -> df.write().format("azureml")
          .option("workspaceConfig", config.toString()).option("datastore", "ds").mode(mode).save());
      assertTrue(e.getMessage().contains("Append"), mode + ": " + e.getMessage());
    }
    Exception e = assertThrows(Exception.class, () -> df.select("path").write().format("azureml")
        .option("workspaceConfig", config.toString()).option("datastore", "ds").mode("append").save());
    assertTrue(e.getMessage().contains("'content'"), e.getMessage());
    assertTrue(blobs().isEmpty());
  }

  @Test
  void overwriteFalseKeepsExistingBlobs() {
    TestEnvironment.put(container, "keep.txt", "original".getBytes(StandardCharsets.UTF_8));
    contentRows(new Object[] {"keep.txt", "new".getBytes(StandardCharsets.UTF_8)})
        .write().format("azureml").option("workspaceConfig", config.toString()).option("datastore", "ds")
        .mode("append").save();
    assertEquals("original", container.getBlobClient("keep.txt").downloadContent().toString());
    contentRows(new Object[] {"keep.txt", "new".getBytes(StandardCharsets.UTF_8)})
        .write().format("azureml").option("workspaceConfig", config.toString()).option("datastore", "ds")
        .option("overwrite", "true").mode("append").save();
    assertEquals("new", container.getBlobClient("keep.txt").downloadContent().toString());
  }
}
