package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.spark.SparkInternals;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DSv2 custom metrics, as the Spark UI's SQL tab shows them, read back from the executed plans. */
class MetricsIT {
  @TempDir
  Path dir;
  private final SparkSession spark = TestEnvironment.spark();

  @Test
  void aDownloadReportsFilesBytesAndSkipsInItsPlan() throws Exception {
    BlobContainerClient c = TestEnvironment.newContainer("metrics");
    TestEnvironment.put(c, "m/1.txt", "one".getBytes(StandardCharsets.UTF_8));
    TestEnvironment.put(c, "m/2.txt", "two!".getBytes(StandardCharsets.UTF_8));
    Path config = TestEnvironment.workspaceConfig(dir.resolve("cfg"), "ds", c);
    Files.createDirectories(dir.resolve("out/m"));
    Files.writeString(dir.resolve("out/m/2.txt"), "kept");

    Dataset<Row> download = spark.read().format("azureml").option("workspaceConfig", config.toString())
        .option("datastore", "ds").option("outputFolder", dir.resolve("out").toString()).load();
    assertEquals(2, download.collectAsList().size());

    Map<String, Long> m = PlanMetrics.of(SparkInternals.queryExecution(download).executedPlan());
    assertEquals(1L, m.get("filesTransferred"), m.toString());
    assertEquals(1L, m.get("filesSkipped"), m.toString());
    assertEquals(0L, m.get("filesFailed"), m.toString());
    assertEquals(3L, m.get("bytesTransferred"), m.toString());
    assertEquals(0L, m.get("checksumFailures"), m.toString());
    assertEquals(0L, m.get("retries"), "a clean run retries nothing: " + m);
  }

  @Test
  void aDownloadCountsItsRetriesInItsPlan() throws Exception {
    BlobContainerClient c = TestEnvironment.newContainer("rmetrics");
    byte[] content = new byte[50_000];
    new java.util.Random(11).nextBytes(content);
    TestEnvironment.put(c, "r/cut.bin", content);
    TestEnvironment.put(c, "r/clean.txt", "clean".getBytes(StandardCharsets.UTF_8));
    try (BlobProxy proxy = new BlobProxy(TestEnvironment.azurite().accountUrl())) {
      Path config = TestEnvironment.workspaceConfig(dir.resolve("rcfg"), "ds", c,
          proxy.accountUrl(io.github.amlspark.harness.Azurite.ACCOUNT));
      // The first two GETs of cut.bin end halfway: each is fetched again, the third arrives whole.
      proxy.fail("r/cut.bin", BlobProxy.Fault.CUT_SHORT, 2);
      Dataset<Row> download = spark.read().format("azureml").option("workspaceConfig", config.toString())
          .option("datastore", "ds").option("outputFolder", dir.resolve("rout").toString()).load();
      assertEquals(2, download.collectAsList().size());

      Map<String, Long> m = PlanMetrics.of(SparkInternals.queryExecution(download).executedPlan());
      assertEquals(2L, m.get("filesTransferred"), m.toString());
      assertEquals(0L, m.get("filesFailed"), m.toString());
      assertEquals(2L, m.get("retries"), "one retry per body cut short: " + m);
      assertEquals(3L, proxy.blobGetsByPath().values().stream().mapToLong(Long::longValue).max().orElse(0),
          "cut.bin was fetched three times: " + proxy.blobGetsByPath());
      assertArrayEquals(content, TestEnvironment.read(dir.resolve("rout/r/cut.bin")));
    }
  }

  @Test
  void aWriteReportsItsFilesAndBytesInItsPlan() throws Exception {
    BlobContainerClient c = TestEnvironment.newContainer("wmetrics");
    Path config = TestEnvironment.workspaceConfig(dir.resolve("cfg"), "ds", c);
    List<Row> rows = List.of(RowFactory.create("a.bin", new byte[] {1, 2, 3}),
        RowFactory.create("b.bin", new byte[] {4, 5}));
    Map<String, Long> m = metricsOfWrite(() -> spark.createDataFrame(rows, CONTENT_ROWS).write().format("azureml")
        .option("workspaceConfig", config.toString()).option("datastore", "ds").mode("append").save());
    assertEquals(2L, m.get("filesTransferred"), m.toString());
    assertEquals(5L, m.get("bytesTransferred"), m.toString());
    assertTrue(m.containsKey("checksumFailures"), m.toString());
  }

  /**
   * Spark reads a writer's metrics every 100 rows and last before its commit. A task of 200 rows whose first
   * file's Put Blob is held: the 199 others are uploaded meanwhile (reading the metrics never waits for the
   * uploads in flight), and the held file, which finishes after Spark's last read, is still counted.
   */
  @Test
  void aWriteKeepsUploadingWhileOneFileIsHeldAndCountsEveryFile() throws Exception {
    BlobContainerClient c = TestEnvironment.newContainer("wheld");
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rows.add(RowFactory.create(String.format("held/%03d.bin", i), new byte[] {(byte) i, 7}));
    }
    try (BlobProxy proxy = new BlobProxy(TestEnvironment.azurite().accountUrl())) {
      Path config = TestEnvironment.workspaceConfig(dir.resolve("hcfg"), "ds", c,
          proxy.accountUrl(io.github.amlspark.harness.Azurite.ACCOUNT));
      proxy.holdFirstCreate("held/000.bin");
      ExecutorService background = Executors.newSingleThreadExecutor();
      try {
        Future<Map<String, Long>> written = background.submit(() -> metricsOfWrite(() -> spark
            .createDataFrame(rows, CONTENT_ROWS).coalesce(1).write().format("azureml")
            .option("workspaceConfig", config.toString()).option("datastore", "ds").mode("append").save()));
        // A cold session on a loaded machine may take a while to plan the write and start its task.
        assertTrue(proxy.awaitHeldCreate(120), "the first file's Put Blob is held");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long others = 0;
        while (others < 199 && System.nanoTime() < deadline) {
          Thread.sleep(50);
          others = c.listBlobs().stream().count();
        }
        assertEquals(199, others, "every other file is uploaded while the first is held");
        proxy.releaseHeldCreate();
        Map<String, Long> m = written.get(60, TimeUnit.SECONDS);
        assertEquals(200L, m.get("filesTransferred"), m.toString());
        assertEquals(400L, m.get("bytesTransferred"), m.toString());
        assertEquals(0L, m.get("filesFailed"), m.toString());
      } finally {
        proxy.releaseHeldCreate();
        background.shutdownNow();
      }
    }
    assertEquals(200, c.listBlobs().stream().count());
  }

  private static final StructType CONTENT_ROWS = new StructType().add("path", DataTypes.StringType)
      .add("content", DataTypes.BinaryType);

  /** @return the metrics of the plan of the azureml write that {@code write} runs */
  private Map<String, Long> metricsOfWrite(Runnable write) throws Exception {
    return PlanMetrics.ofWrite(spark, write);
  }
}
