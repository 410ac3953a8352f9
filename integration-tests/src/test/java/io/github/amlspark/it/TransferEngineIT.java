package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import io.github.amlspark.TransferStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the Java API's tasks run: on the shared local session, in this JVM's threads with no Spark job;
 * with {@code spark.azureml.transferEngine=spark}, as Spark jobs; the same files and reports either way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransferEngineIT {
  private static final String ENGINE = "spark.azureml.transferEngine";

  @TempDir
  static Path dir;
  BlobContainerClient container;
  AzureMLFiles files;

  @BeforeAll
  void seed() {
    container = TestEnvironment.newContainer("engine");
    for (int i = 0; i < 40; i++) {
      TestEnvironment.put(container, "d/f" + i + ".bin", TestEnvironment.random(1000 + i * 97, i));
    }
    // One file of several ranges, so that a large blob's path is taken as well.
    TestEnvironment.put(container, "d/large.bin", TestEnvironment.random(9 * 1024 * 1024 + 3, 99));
    files = AzureMLFiles.builder().spark(TestEnvironment.spark())
        .workspaceConfig(TestEnvironment.workspaceConfig(dir, "ds", container).toString()).build();
  }

  @Test
  void onALocalSessionTheTransfersRunNoSparkJob() throws Exception {
    Ran<TransferReport> down = countingJobs(() -> files.downloadFromDatastore("ds", "d/",
        dir.resolve("local").toString()));
    assertEquals(0, down.jobs(), "a download on a local session starts no Spark job");
    assertComplete(down.result(), dir.resolve("local"));

    Ran<TransferReport> up = countingJobs(() -> files.uploadToDatastore("ds", dir.resolve("local/d").toString(),
        "up-local"));
    assertEquals(0, up.jobs(), "an upload on a local session starts no Spark job");
    assertEquals(41, up.result().transferred());
    assertArrayEquals(container.getBlobClient("d/large.bin").downloadContent().toBytes(),
        container.getBlobClient("up-local/large.bin").downloadContent().toBytes());
  }

  @Test
  void withTheSparkEngineTheSameTransfersRunAsSparkJobs() throws Exception {
    SparkSession spark = TestEnvironment.spark();
    spark.conf().set(ENGINE, "spark");
    try {
      Ran<TransferReport> down = countingJobs(() -> files.downloadFromDatastore("ds", "d/",
          dir.resolve("job").toString(), TransferOptions.defaults().showProgress(true)));
      assertTrue(down.jobs() >= 1, "the download ran as a Spark job");
      assertComplete(down.result(), dir.resolve("job"));

      Ran<TransferReport> up = countingJobs(() -> files.uploadToDatastore("ds", dir.resolve("job/d").toString(),
          "up-job"));
      assertTrue(up.jobs() >= 1, "the upload ran as a Spark job");
      assertEquals(41, up.result().transferred());
      assertArrayEquals(container.getBlobClient("d/large.bin").downloadContent().toBytes(),
          container.getBlobClient("up-job/large.bin").downloadContent().toBytes());
    } finally {
      spark.conf().unset(ENGINE);
    }
  }

  @Test
  void anUnknownEngineIsAClearError() {
    SparkSession spark = TestEnvironment.spark();
    spark.conf().set(ENGINE, "threads");
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> files.downloadFromDatastore("ds", "d/", dir.resolve("bad").toString()));
      assertEquals("'spark.azureml.transferEngine' must be auto or spark, not 'threads'.", e.getMessage());
    } finally {
      spark.conf().unset(ENGINE);
    }
  }

  private void assertComplete(TransferReport report, Path out) throws Exception {
    assertEquals(41, report.transferred(), report.summary());
    for (FileTransfer f : report.files()) {
      assertEquals(TransferStatus.TRANSFERRED, f.status());
      assertTrue(f.checksumVerified(), f.path() + " checked against its Content-MD5");
      assertArrayEquals(container.getBlobClient(f.path()).downloadContent().toBytes(),
          Files.readAllBytes(out.resolve(f.path())), f.path());
    }
    List<Path> onDisk = TestEnvironment.files(out);
    assertEquals(41, onDisk.size(), "no temporary file left: " + onDisk);
  }

  record Ran<T>(T result, int jobs) {
  }

  private static <T> Ran<T> countingJobs(Callable<T> call) throws Exception {
    SparkSession spark = TestEnvironment.spark();
    AtomicInteger jobs = new AtomicInteger();
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        jobs.incrementAndGet();
      }
    };
    spark.sparkContext().addSparkListener(listener);
    try {
      T result = call.call();
      spark.sparkContext().listenerBus().waitUntilEmpty();
      return new Ran<>(result, jobs.get());
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
  }
}
