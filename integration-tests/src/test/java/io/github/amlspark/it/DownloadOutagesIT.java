package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.github.amlspark.harness.Azurite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads when the machine or the service fails: a full disk and a read-only output folder (real tmpfs
 * mounts; the tests run as root on CI), and the storage service going away mid-transfer and coming back.
 * Every file ends TRANSFERRED and whole, or FAILED naming the cause; nothing partial is ever at a final
 * path; a rerun after the outage completes exactly what is missing.
 */
class DownloadOutagesIT {
  private static final Duration BOUND = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  private static Map<String, Row> download(Path config, Path out, String... options) {
    return assertTimeoutPreemptively(BOUND, () -> {
      var reader = TestEnvironment.spark().read().format("azureml").option("workspaceConfig", config.toString())
          .option("datastore", "ds").option("prefix", "f/").option("outputFolder", out.toString())
          .option("idleTimeout", "1s").option("retryTimeout", "3s");
      for (int i = 0; i < options.length; i += 2) {
        reader = reader.option(options[i], options[i + 1]);
      }
      Map<String, Row> rows = new HashMap<>();
      for (Row r : reader.load().collectAsList()) {
        rows.put(r.getString(0), r);
      }
      return rows;
    }, "the download finished within " + BOUND);
  }

  /** Mounts a tmpfs at {@code at}, or skips the test saying why it cannot. */
  private static void mountTmpfs(Path at, String options) throws IOException, InterruptedException {
    Files.createDirectories(at);
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", at.toString())
        .redirectErrorStream(true).start();
    String said = new String(mount.getInputStream().readAllBytes()).trim();
    Assumptions.assumeTrue(mount.waitFor() == 0, "a real full or read-only disk needs a tmpfs mount, which "
        + "needs root (CI runs as root); mount said: " + said);
  }

  private static void unmount(Path at) throws IOException, InterruptedException {
    new ProcessBuilder("umount", "-l", at.toString()).inheritIO().start().waitFor();
  }

  @Test
  void aFullDiskFailsTheFilesThatDoNotFitAndLeavesNoPartialFile() throws Exception {
    BlobContainerClient container = TestEnvironment.newContainer("fulldisk");
    for (int i = 0; i < 6; i++) {
      TestEnvironment.put(container, "f/" + i + ".bin", TestEnvironment.random(300_000, i));
    }
    Path config = TestEnvironment.workspaceConfig(dir, "ds", container);
    Path disk = dir.resolve("disk");
    mountTmpfs(disk, "size=1m");
    try {
      Map<String, Row> rows = download(config, disk);

      assertEquals(6, rows.size());
      int failed = 0;
      for (int i = 0; i < 6; i++) {
        Row r = rows.get("f/" + i + ".bin");
        Path file = disk.resolve("f/" + i + ".bin");
        if (r.getString(4).equals("TRANSFERRED")) {
          assertArrayEquals(TestEnvironment.random(300_000, i), Files.readAllBytes(file), "a landed file is whole");
        } else {
          failed++;
          assertEquals("FAILED", r.getString(4));
          assertTrue(r.getString(6).contains("No space left on device"), r.getString(6));
          assertFalse(Files.exists(file), "no partial file at " + file);
        }
      }
      assertTrue(failed >= 3, "1 MiB holds at most three of the six 300 kB files: " + rows);
      assertEquals(6 - failed, TestEnvironment.files(disk).size(), "no temporary file is left: " + TestEnvironment.files(disk));
    } finally {
      unmount(disk);
    }
  }

  @Test
  void aReadOnlyOutputFolderFailsEveryFileNamingIt() throws Exception {
    BlobContainerClient container = TestEnvironment.newContainer("readonly");
    TestEnvironment.put(container, "f/a.bin", TestEnvironment.random(1000, 1));
    TestEnvironment.put(container, "f/b.bin", TestEnvironment.random(1000, 2));
    Path config = TestEnvironment.workspaceConfig(dir, "ds", container);
    Path disk = dir.resolve("ro");
    mountTmpfs(disk, "ro,size=1m");
    try {
      Map<String, Row> rows = download(config, disk);

      assertEquals(2, rows.size());
      for (Row r : rows.values()) {
        assertEquals("FAILED", r.getString(4), r.toString());
        assertTrue(r.getString(6).contains("Read-only file system"), r.getString(6));
      }
      assertEquals(List.of(), TestEnvironment.files(disk));
    } finally {
      unmount(disk);
    }
  }

  @Test
  void theServiceStoppingMidTransferFailsWhatItCutAndARerunAfterItsReturnCompletesTheRest() throws Exception {
    Path data = dir.resolve("azurite-data");
    Azurite azurite = Azurite.startPersistent(Path.of(System.getProperty("azurite.home", ".")), 0, data);
    int port = azurite.port();
    int files = 16;
    try (BlobProxy proxy = new BlobProxy(azurite.accountUrl())) {
      BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
          .buildClient().createBlobContainer("outage");
      for (int i = 0; i < files; i++) {
        TestEnvironment.put(container, "f/" + i + ".bin", TestEnvironment.random(64 * 1024, i));
      }
      Path config = TestEnvironment.workspaceConfig(dir, "ds", container, proxy.accountUrl(Azurite.ACCOUNT));
      Path out = dir.resolve("out");
      proxy.delayBlobGets(150);
      Thread stopper = new Thread(() -> {
        try {
          while (!Files.isDirectory(out.resolve("f")) || countFiles(out.resolve("f")) < 3) {
            Thread.sleep(20);
          }
          azurite.close();
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      stopper.start();

      Map<String, Row> first = download(config, out, "transferConcurrency", "2", "maxPartitionBytes", "524288");
      stopper.join();

      long failedFirst = first.values().stream().filter(r -> r.getString(4).equals("FAILED")).count();
      assertTrue(failedFirst >= 1 && failedFirst < files, "the outage cut some files, not all: " + failedFirst);
      for (Row r : first.values()) {
        Path file = out.resolve(r.getString(0));
        if (r.getString(4).equals("FAILED")) {
          assertTrue(r.getString(6).contains("gave up after"), r.getString(6));
          assertFalse(Files.exists(file), "no partial file at " + file);
        } else {
          assertEquals("TRANSFERRED", r.getString(4));
        }
      }
      assertEquals(files - failedFirst, TestEnvironment.files(out).size(), "no temporary file is left");

      Azurite again = Azurite.startPersistent(Path.of(System.getProperty("azurite.home", ".")), port, data);
      try {
        proxy.delayBlobGets(0);
        Map<String, Row> second = download(config, out);
        for (Row r : second.values()) {
          String before = first.get(r.getString(0)).getString(4);
          assertEquals(before.equals("FAILED") ? "TRANSFERRED" : "SKIPPED", r.getString(4), r.toString());
        }
        for (int i = 0; i < files; i++) {
          assertArrayEquals(TestEnvironment.random(64 * 1024, i), Files.readAllBytes(out.resolve("f/" + i + ".bin")));
        }
        assertEquals(files, TestEnvironment.files(out).size());
      } finally {
        again.close();
      }
    } finally {
      azurite.close();
    }
  }

  private static long countFiles(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).count();
    }
  }
}
