package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferException;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.it.BlobProxy.PutFault;
import io.github.amlspark.it.BlobProxy.PutKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads under faults on the wire between the connector and Azurite (through {@link BlobProxy}): each file
 * ends TRANSFERRED and byte-identical with its Content-MD5, or FAILED with a reason naming the fault, and no
 * half-written blob is ever visible. Small retry and idle timeouts keep every test within seconds.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UploadFaultsIT {
  private static final int BLOCK = 4 * 1024 * 1024;

  @TempDir
  Path dir;
  BlobProxy proxy;
  BlobContainerClient container;
  AzureMLFiles files;
  SparkSession spark;

  @BeforeEach
  void setUp() throws Exception {
    spark = TestEnvironment.spark();
    spark.conf().set("spark.azureml.retryTimeout", "20s");
    spark.conf().set("spark.azureml.idleTimeout", "5s");
    FaultyFileSystem.register(spark);
    proxy = new BlobProxy(TestEnvironment.azurite().accountUrl());
    container = TestEnvironment.newContainer("upfaults");
    Path config = TestEnvironment.workspaceConfig(dir.resolve("cfg"), "ds", container,
        proxy.accountUrl("devstoreaccount1"));
    files = AzureMLFiles.builder().spark(spark).workspaceConfig(config.toString()).build();
  }

  @AfterEach
  void tearDown() {
    spark.conf().unset("spark.azureml.retryTimeout");
    spark.conf().unset("spark.azureml.idleTimeout");
    proxy.close();
  }

  /** Writes the files into a fresh folder and returns it. */
  private Path folder(String name, Map<String, byte[]> content) throws Exception {
    Path folder = Files.createDirectories(dir.resolve(name));
    for (Map.Entry<String, byte[]> e : content.entrySet()) {
      Files.write(folder.resolve(e.getKey()), e.getValue());
    }
    return folder;
  }

  private static FileTransfer byPath(TransferReport report, String path) {
    return report.files().stream().filter(f -> f.path().equals(path)).findFirst()
        .orElseThrow(() -> new AssertionError(path + " not in " + report.files()));
  }

  /** @return the report, whether the upload succeeded or threw for a FAILED file */
  private TransferReport upload(Path folder, String remote, OverwriteMode mode) {
    try {
      return files.uploadToDatastore("ds", folder.toString(), remote, TransferOptions.defaults().overwrite(mode));
    } catch (TransferException e) {
      return e.report();
    }
  }

  private static byte[] md5(byte[] content) throws Exception {
    return MessageDigest.getInstance("MD5").digest(content);
  }

  /** The blob holds exactly these bytes, and its Content-MD5 is theirs. */
  private void assertBlob(String name, byte[] content) throws Exception {
    assertArrayEquals(content, container.getBlobClient(name).downloadContent().toBytes(), name + "'s bytes");
    assertArrayEquals(md5(content), container.getBlobClient(name).getProperties().getContentMd5(),
        name + "'s Content-MD5");
  }

  private static void assertTransferred(TransferReport report, String path) {
    FileTransfer f = byPath(report, path);
    assertEquals(TransferStatus.TRANSFERRED, f.status(), path + ": " + f.error());
  }

  /**
   * Uploads a small file (one Put Blob from memory) and a larger one (one Put Blob streamed after a hash
   * pass; files above 256 MiB, staged in blocks, are covered by UploadEngineTest) whose PUTs meet the fault
   * {@code times} each, and checks that both land whole, with their Content-MD5.
   */
  private void assertUploadsThrough(PutFault fault, int times, OverwriteMode mode)
      throws Exception {
    String remote = fault.name().toLowerCase(java.util.Locale.ROOT);
    byte[] small = TestEnvironment.random(BLOCK / 2, fault.ordinal());
    byte[] large = TestEnvironment.random(3 * BLOCK + 7, fault.ordinal() + 10);
    Path src = folder(remote, Map.of("small.bin", small, "large.bin", large));
    proxy.failPuts(remote + "/small.bin", PutKind.PUT_BLOB, fault, times);
    proxy.failPuts(remote + "/large.bin", PutKind.PUT_BLOB, fault, times);

    TransferReport report = upload(src, remote, mode);

    assertEquals(2 * times, proxy.putFaultsInjected(), "every fault was met");
    for (Map.Entry<String, byte[]> file : Map.of("small.bin", small, "large.bin", large).entrySet()) {
      assertTransferred(report, remote + "/" + file.getKey());
      assertBlob(remote + "/" + file.getKey(), file.getValue());
    }
  }

  @Test
  void aConnectionResetMidPutBlobIsRetried() throws Exception {
    assertUploadsThrough(PutFault.RESET_MID_BODY, 2, OverwriteMode.NEVER);
  }

  /**
   * The first try of a conditional create reaches Azurite and writes the blob, but its answer is lost; the
   * retry is told the blob exists. It is this upload's own blob: TRANSFERRED, not SKIPPED.
   */
  @Test
  void aLostResponseToAConditionalCreateIsTransferredNotSkipped() throws Exception {
    assertUploadsThrough(PutFault.LOST_RESPONSE, 1, OverwriteMode.NEVER);
  }

  @Test
  void burstsOf503WithRetryAfterAreRetried() throws Exception {
    assertUploadsThrough(PutFault.STATUS_503, 3, OverwriteMode.ALWAYS);
  }

  @Test
  void aLeasedBlobIsFailedUnderOverwriteTrueAndLeftUnchanged() throws Exception {
    byte[] before = TestEnvironment.random(100, 7);
    for (String name : List.of("lease/small.bin", "lease/large.bin")) {
      TestEnvironment.put(container, name, before);
      new BlobLeaseClientBuilder().blobClient(container.getBlobClient(name)).buildClient().acquireLease(-1);
    }
    Path src = folder("leased", Map.of("small.bin", TestEnvironment.random(1000, 8), "large.bin", TestEnvironment.random(2 * BLOCK + 1, 9)));

    TransferReport report = upload(src, "lease", OverwriteMode.ALWAYS);

    for (String name : List.of("lease/small.bin", "lease/large.bin")) {
      FileTransfer f = byPath(report, name);
      assertEquals(TransferStatus.FAILED, f.status(), name);
      assertTrue(f.error().contains("LeaseIdMissing") && f.error().contains("leased")
          && f.error().contains("break the lease"), f.error());
      assertBlob(name, before);
    }
  }

  /**
   * Two writers upload different files of several MiB (each one streamed Put Blob) to one name, over and
   * over. The first round is made to interleave: writer A's Put Blob is held until writer B's was answered.
   * Afterwards the blob is one writer's file, byte for byte, with its Content-MD5. (Racing block commits,
   * above 256 MiB, are UploadEngineTest's: a writer whose blocks the other's commit discarded is FAILED.)
   */
  @Test
  void twoWritersRacingToOneNameLeaveOneWholeFile() throws Exception {
    // Writer A's held Put Blob must not time out before writer B's was answered.
    spark.conf().set("spark.azureml.idleTimeout", "30s");
    for (int round = 0; round < 4; round++) {
      byte[] a = TestEnvironment.random(3 * BLOCK + round, 10 + round);
      byte[] b = TestEnvironment.random(4 * BLOCK - round, 20 + round);
      Path srcA = folder("a" + round, Map.of("model.bin", a));
      Path srcB = folder("b" + round, Map.of("model.bin", b));
      boolean interleaved = round == 0;
      if (interleaved) {
        proxy.holdFirstCreate("race/model.bin");
      }
      CompletableFuture<TransferReport> writerA = CompletableFuture.supplyAsync(
          () -> upload(srcA, "race", OverwriteMode.ALWAYS));
      if (interleaved) {
        assertTrue(proxy.awaitHeldCreate(), "writer A reached its Put Blob");
      }
      TransferReport reportB = upload(srcB, "race", OverwriteMode.ALWAYS);
      TransferReport reportA = writerA.get(60, TimeUnit.SECONDS);

      byte[] blob = container.getBlobClient("race/model.bin").downloadContent().toBytes();
      byte[] winner = Arrays.equals(blob, a) ? a : b;
      assertArrayEquals(winner, blob, "round " + round + ": the blob is one writer's file");
      assertBlob("race/model.bin", winner);
      for (TransferReport r : List.of(reportA, reportB)) {
        FileTransfer f = byPath(r, "race/model.bin");
        assertTrue(f.status() == TransferStatus.TRANSFERRED
            || f.error().contains("InvalidBlockList") && f.error().contains("another upload"), f.toString());
      }
      if (interleaved) {
        assertTransferred(reportB, "race/model.bin");
      }
    }
  }

  @Test
  void aSourceThatGrowsWhileItIsReadIsFailedAndNotWritten() throws Exception {
    assertChangingSourceFailed("growing", "ckpt.grow", 10 * 1024 * 1024,
        "size " + 10 * 1024 * 1024 + " → " + (10 * 1024 * 1024 + FaultyFileSystem.GROWTH));
  }

  /**
   * A file rewritten between the hash pass and the Put Blob, keeping its size and modification time: Azurite
   * checks the body against the first pass's MD5 and refuses it, so no blob is made.
   */
  @Test
  void aSourceRewrittenBetweenTheHashPassAndThePutBlobIsFailedAndNotWritten() throws Exception {
    assertChangingSourceFailed("swapped", "ckpt.swap", 6 * 1024 * 1024, "MD5 of the first read");
  }

  /** Uploads a changing file of that size beside a small one: the first is FAILED for that reason, unwritten. */
  private void assertChangingSourceFailed(String remote, String name, int size, String reason) throws Exception {
    Path src = folder(remote, Map.of(name, TestEnvironment.random(size, 30), "ok.txt", TestEnvironment.random(10, 31)));

    TransferException e = assertThrows(TransferException.class,
        () -> files.uploadToDatastore("ds", FaultyFileSystem.uri(src), remote));

    FileTransfer changed = byPath(e.report(), remote + "/" + name);
    assertEquals(TransferStatus.FAILED, changed.status());
    assertTrue(changed.error().contains("changed while it was being uploaded") && changed.error().contains(reason)
        && changed.error().contains("nothing was written"), changed.error());
    assertFalse(container.getBlobClient(remote + "/" + name).exists(), "no blob of the changing file");
    assertTransferred(e.report(), remote + "/ok.txt");
  }
}
