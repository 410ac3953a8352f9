package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferException;
import io.github.amlspark.TransferReport;
import io.github.amlspark.TransferStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads from Hadoop URIs, and uploads that go wrong: a file that breaks mid-stream, a task that is
 * aborted, files that cannot be read. What failed is reported with its reason, the rest lands, and no
 * half-written blob is ever visible.
 */
class UploadFailuresIT {
  @TempDir
  Path dir;
  BlobContainerClient container;
  Path config;
  AzureMLFiles files;
  SparkSession spark;

  @BeforeEach
  void setUp() {
    spark = TestEnvironment.spark();
    FaultyFileSystem.register(spark);
    container = TestEnvironment.newContainer("upfail");
    config = TestEnvironment.workspaceConfig(dir.resolve("cfg"), "ds", container);
    files = AzureMLFiles.builder().spark(spark).workspaceConfig(config.toString()).build();
  }

  private Map<String, BlobItem> blobs() {
    return container.listBlobs().stream().collect(Collectors.toMap(BlobItem::getName, b -> b));
  }

  private static FileTransfer byPath(TransferReport report, String path) {
    return report.files().stream().filter(f -> f.path().equals(path)).findFirst()
        .orElseThrow(() -> new AssertionError(path + " not in " + report.files()));
  }

  /** The blob is visible neither by name nor in a listing. */
  private void assertNoBlob(String blobName) {
    assertFalse(container.getBlobClient(blobName).exists(), blobName + " must not be visible");
    assertFalse(blobs().containsKey(blobName));
  }

  /** The read broke after a whole 4 MiB block had been read, so the upload had begun staging blocks. */
  private static void assertBrokeAfterTheFirstBlock(FileTransfer failed) {
    assertTrue(failed.error().contains("injected read failure at byte " + FaultyFileSystem.GOOD_BYTES),
        failed.error());
  }

  @Test
  void aFolderBehindAHadoopUriUploadsLikeALocalOne() throws Exception {
    Path bar = Files.createDirectories(dir.resolve("foo/bar/sub"));
    Files.writeString(bar.resolveSibling("1.txt"), "one");
    Files.writeString(bar.resolve("2.txt"), "two");
    String uri = FaultyFileSystem.uri(dir.resolve("foo/bar"));

    TransferReport report = files.uploadToDatastore("ds", uri, "baz");

    assertEquals(2, report.transferred());
    assertEquals(List.of("baz/1.txt", "baz/sub/2.txt"), blobs().keySet().stream().sorted().toList());
    assertEquals("two", container.getBlobClient("baz/sub/2.txt").downloadContent().toString());
    assertTrue(byPath(report, "baz/1.txt").file().startsWith(FaultyFileSystem.SCHEME + ":"),
        "the report names the URI read: " + byPath(report, "baz/1.txt").file());
    IllegalArgumentException notDir = assertThrows(IllegalArgumentException.class,
        () -> files.uploadToDatastore("ds", FaultyFileSystem.uri(dir.resolve("foo/bar/1.txt")), "x"));
    assertTrue(notDir.getMessage().contains("is not a directory"), notDir.getMessage());
  }

  @Test
  void aFileThatBreaksMidStreamFailsAloneAndLeavesNoBlob() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("ok.txt"), "fine");
    Files.write(src.resolve("big.fail"), TestEnvironment.random(12 * 1024 * 1024, 1));

    TransferException e = assertThrows(TransferException.class,
        () -> files.uploadToDatastore("ds", FaultyFileSystem.uri(src), "up"));

    FileTransfer failed = byPath(e.report(), "up/big.fail");
    assertEquals(TransferStatus.FAILED, failed.status());
    assertBrokeAfterTheFirstBlock(failed);
    assertEquals(TransferStatus.TRANSFERRED, byPath(e.report(), "up/ok.txt").status());
    assertEquals("fine", container.getBlobClient("up/ok.txt").downloadContent().toString());
    assertNoBlob("up/big.fail");
  }

  @Test
  void aWriteRowWhoseSourceBreaksOrIsMissingFailsAloneAndLeavesNoBlob() throws Exception {
    Files.write(dir.resolve("big.fail"), TestEnvironment.random(12 * 1024 * 1024, 2));
    Path ok = Files.writeString(dir.resolve("ok.txt"), "fine");
    StructType schema = new StructType().add("path", DataTypes.StringType).add("sourceFile", DataTypes.StringType);
    List<Row> rows = List.of(RowFactory.create("big.bin", FaultyFileSystem.uri(dir.resolve("big.fail"))),
        RowFactory.create("missing.bin", dir.resolve("no-such-file").toString()),
        RowFactory.create("ok.txt", ok.toString()));

    Exception e = assertThrows(Exception.class, () -> spark.createDataFrame(rows, schema).coalesce(1)
        .write().format("azureml").option("workspaceConfig", config.toString()).option("datastore", "ds")
        .mode("append").save());

    TransferException failure = rootTransferException(e);
    assertEquals(2, failure.report().failed(), failure.report().files().toString());
    assertTrue(byPath(failure.report(), "missing.bin").error().contains("no-such-file"),
        byPath(failure.report(), "missing.bin").error());
    assertBrokeAfterTheFirstBlock(byPath(failure.report(), "big.bin"));
    assertEquals("fine", container.getBlobClient("ok.txt").downloadContent().toString());
    assertFalse(container.getBlobClient("missing.bin").exists());
    assertNoBlob("big.bin");
  }

  @Test
  void anAbortedTaskLeavesNoHalfWrittenBlob() throws Exception {
    Files.write(dir.resolve("big.hang"), TestEnvironment.random(12 * 1024 * 1024, 3));
    StructType schema = new StructType().add("path", DataTypes.StringType).add("sourceFile", DataTypes.StringType);
    // The first row's upload stalls after staging a block; the second row fails the task, which aborts it.
    List<Row> rows = List.of(RowFactory.create("stalled.bin", FaultyFileSystem.uri(dir.resolve("big.hang"))),
        RowFactory.create(null, dir.resolve("big.hang").toString()));

    long start = System.nanoTime();
    Exception e = assertThrows(Exception.class, () -> spark.createDataFrame(rows, schema).coalesce(1)
        .write().format("azureml").option("workspaceConfig", config.toString()).option("datastore", "ds")
        .mode("append").save());

    assertTrue(messages(e).contains("'path' is null"), messages(e));
    // Give a stalled upload that was not interrupted time to show itself, had it gone on to commit.
    Thread.sleep(1_000);
    assertFalse(container.getBlobClient("stalled.bin").exists());
    assertTrue(blobs().isEmpty(), blobs().keySet().toString());
    assertTrue(System.nanoTime() - start < 50_000_000_000L, "the abort interrupted the stalled upload");
  }

  @Test
  void aDanglingLinkIsFailedWithItsReasonAndTheRestUploads() throws Exception {
    Path src = Files.createDirectories(dir.resolve("links"));
    Files.writeString(src.resolve("real.txt"), "real");
    Files.createSymbolicLink(src.resolve("dangling.txt"), dir.resolve("gone.txt"));

    TransferException e = assertThrows(TransferException.class,
        () -> files.uploadToDatastore("ds", src.toString(), "l"));

    FileTransfer dangling = byPath(e.report(), "l/dangling.txt");
    assertEquals(TransferStatus.FAILED, dangling.status());
    assertTrue(dangling.error().contains("does not exist") && dangling.error().contains("gone.txt"),
        dangling.error());
    assertEquals(List.of("l/real.txt"), blobs().keySet().stream().toList());
  }

  @Test
  void anUnreadableFileIsFailedWithItsReasonAndTheRestUploads() throws Exception {
    // Root reads every file whatever its mode, so this holds only where the tests do not run as root.
    assumeFalse("root".equals(System.getProperty("user.name")), "running as root");
    Path src = Files.createDirectories(dir.resolve("perm"));
    Files.writeString(src.resolve("open.txt"), "open");
    Path locked = Files.writeString(src.resolve("locked.txt"), "locked");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));

    TransferException e = assertThrows(TransferException.class,
        () -> files.uploadToDatastore("ds", src.toString(), "p"));

    assertTrue(byPath(e.report(), "p/locked.txt").error().contains("not readable"),
        byPath(e.report(), "p/locked.txt").error());
    assertEquals(List.of("p/open.txt"), blobs().keySet().stream().toList());
  }

  private static TransferException rootTransferException(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TransferException transfer) {
        return transfer;
      }
    }
    throw new AssertionError("no TransferException in the chain", e);
  }

  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
