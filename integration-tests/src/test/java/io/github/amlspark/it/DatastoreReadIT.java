package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code spark.read.format("azureml")} without outputFolder: one read-schema row per blob. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatastoreReadIT {
  @TempDir
  Path dir;
  BlobContainerClient container;
  BlobProxy proxy;
  Path config;
  SparkSession spark = TestEnvironment.spark();

  @BeforeAll
  void seed() throws Exception {
    container = TestEnvironment.newContainer("read");
    TestEnvironment.put(container, "foo/bar/1.txt", "one".getBytes(StandardCharsets.UTF_8));
    TestEnvironment.put(container, "foo/bar/2.csv", "two,2".getBytes(StandardCharsets.UTF_8));
    TestEnvironment.put(container, "foo/barbaz/3.txt", "three".getBytes(StandardCharsets.UTF_8));
    TestEnvironment.put(container, "other/4.txt", "four".getBytes(StandardCharsets.UTF_8));
    // Folder markers: an empty blob named like a folder, and one flagged hdi_isfolder (ADLS style).
    TestEnvironment.put(container, "foo/bar/", new byte[0]);
    container.getBlobClient("foo/bar/sub").uploadWithResponse(new BlobParallelUploadOptions(BinaryData.fromBytes(new byte[0]))
        .setMetadata(Map.of("hdi_isfolder", "true")), null, null);
    // 9 MiB: several ranges in flight.
    byte[] big = new byte[9 * 1024 * 1024 + 7];
    new Random(7).nextBytes(big);
    TestEnvironment.put(container, "big/blob.bin", big);
    proxy = new BlobProxy(TestEnvironment.azurite().accountUrl());
  }

  @BeforeEach
  void resetProxy() {
    proxy.reset();
    config = TestEnvironment.workspaceConfig(dir, "ds", container, proxy.accountUrl("devstoreaccount1"));
  }

  @AfterAll
  void stopProxy() {
    proxy.close();
  }

  private DataFrameReader reader(String prefix) {
    return spark.read().format("azureml").option("workspaceConfig", config.toString())
        .option("datastore", "ds").option("prefix", prefix);
  }

  private Dataset<Row> read(String prefix) {
    return reader(prefix).load();
  }

  @Test
  void rowsFollowTheReadSchemaAndSkipFolderMarkers() throws Exception {
    Dataset<Row> df = read("foo/bar");
    assertEquals("path STRING NOT NULL,length BIGINT NOT NULL,modificationTime TIMESTAMP NOT NULL,"
        + "contentMd5 STRING,content BINARY", df.schema().toDDL());
    // A prefix is a plain string prefix: foo/bar also matches foo/barbaz/.
    DataFrames.assertSameRows(DataFrames.of("path STRING NOT NULL, length BIGINT NOT NULL, contentMd5 STRING, "
            + "content BINARY", file("foo/bar/1.txt", "one"), file("foo/bar/2.csv", "two,2"),
            file("foo/barbaz/3.txt", "three")),
        df.select("path", "length", "contentMd5", "content"));
    assertTrue(df.collectAsList().stream().allMatch(r -> r.getTimestamp(2).getTime() > 0));
  }

  private static Object[] file(String path, String content) throws Exception {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    return new Object[] {path, (long) bytes.length, HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
        .digest(bytes)), bytes};
  }

  private static Dataset<Row> paths(String... paths) {
    return DataFrames.of("path STRING NOT NULL", java.util.Arrays.stream(paths).map(p -> new Object[] {p})
        .toArray(Object[][]::new));
  }

  @Test
  void azuremlUrisNameTheDatastoreAndPath() {
    DataFrames.assertSameRows(paths("foo/bar/1.txt", "foo/bar/2.csv"), spark.read().format("azureml")
        .option("workspaceConfig", config.toString()).load("azureml://datastores/ds/paths/foo/bar/").select("path"));
    DataFrames.assertSameRows(paths("other/4.txt"), spark.read().format("azureml")
        .option("workspaceConfig", config.toString())
        .load("azureml://subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/local/workspaces/local"
            + "/datastores/ds/paths/other").select("path"));
  }

  @Test
  void pathGlobFilterMatchesFileNames() {
    DataFrames.assertSameRows(paths("foo/bar/1.txt", "foo/barbaz/3.txt"),
        reader("foo").option("pathGlobFilter", "*.txt").load().select("path"));
  }

  @Test
  void queriesWithoutContentMakeNoBlobGet() {
    List<Row> rows = read("").select("path", "length", "contentMd5").collectAsList();
    assertEquals(5, rows.size());
    assertFalse(proxy.requests().isEmpty(), "the listing went through the proxy");
    assertEquals(0, proxy.blobGets(), "listing only: " + proxy.requests());
    assertEquals(5, read("").count());
    assertEquals(0, proxy.blobGets());

    read("").select("content").collectAsList();
    assertTrue(proxy.blobGets() >= 5);
  }

  @Test
  void largeBlobIsFetchedWithSeveralRangesInFlightAndVerified() throws Exception {
    byte[] expected = container.getBlobClient("big/blob.bin").downloadContent().toBytes();
    Row row = reader("big/").option("validateChecksum", "true").load().select("content", "contentMd5").collectAsList().get(0);
    assertArrayEquals(expected, (byte[]) row.get(0));
    List<BlobProxy.Recorded> gets = proxy.requests().stream().filter(BlobProxy.Recorded::isBlobGet).toList();
    assertEquals(3, gets.size(), "9 MiB in ranges of at most 4 MiB");
    for (BlobProxy.Recorded get : gets) {
      assertEquals(List.of("true"), get.headers().get("X-ms-range-get-content-md5"), get.toString());
    }
    assertTrue(proxy.maxBlobGetsInFlight() > 1, "ranges were fetched one at a time");
  }

  @Test
  void contentAboveTwoGibFailsBeforeAnyGetAndPointsToOutputFolder() {
    // The listing claims 3 GiB for 1.txt; nothing is downloaded to find out.
    proxy.rewriteListings(xml -> xml.replaceFirst("(<Name>foo/bar/1.txt</Name>.*?<Content-Length>)3(</Content-Length>)",
        "$13221225472$2"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> read("foo/bar/").select("path", "content").collectAsList());
    assertTrue(e.getMessage().contains("outputFolder"), e.getMessage());
    assertTrue(e.getMessage().contains("foo/bar/1.txt"), e.getMessage());
    assertEquals(0, proxy.blobGets());
    // Without content the same listing reads fine.
    assertEquals(2, read("foo/bar/").select("path", "length").collectAsList().size());
  }

  @Test
  void manySmallFilesSpreadOverAllCoresAndAHugeBlobIsOneTask() {
    assertTrue(read("").rdd().getNumPartitions() >= 2, "small files are spread over both cores");
    int partitions = reader("").option("maxPartitionBytes", String.valueOf(4L * 1024 * 1024)).load().rdd().getNumPartitions();
    assertEquals(5, partitions, "with 4 MiB tasks every file costs a task of its own");
  }
}
