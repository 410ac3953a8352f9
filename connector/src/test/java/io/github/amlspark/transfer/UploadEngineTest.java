package io.github.amlspark.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferStatus;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The upload engine against blobs in memory that follow the service's rules ({@link FakeBlobWriter}). */
@Timeout(30)
class UploadEngineTest {
  private static final int BLOCK = UploadEngine.BLOCK_BYTES;
  private static final RetryPolicy QUICK = new RetryPolicy(5, 1, 2, 10_000, 1_000);

  private final FakeBlobWriter service = new FakeBlobWriter();
  private final AtomicInteger retries = new AtomicInteger();
  private final TransferListener listener = new TransferListener() {
    @Override
    public void retried() {
      retries.incrementAndGet();
    }
  };

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** An engine that stages every file of more than one block, as above the single Put Blob threshold. */
  private UploadEngine engine(OverwriteMode mode) {
    return new UploadEngine(service, mode, false, 4, QUICK, listener, BLOCK, BLOCK);
  }

  /** An engine with the production threshold: files of up to 256 MiB are one streamed Put Blob. */
  private UploadEngine streaming(OverwriteMode mode) {
    return new UploadEngine(service, mode, false, 4, QUICK, listener);
  }

  private FileTransfer upload(OverwriteMode mode, String name, byte[] content) {
    return engine(mode).upload(new UploadItem("/src/" + name, name, content.length), UploadSource.of(content));
  }

  private void assertBlob(String name, byte[] content) {
    FakeBlobWriter.Blob blob = service.blob(name);
    assertArrayEquals(content, blob.content(), name + "'s bytes");
    assertArrayEquals(Md5.of(content, content.length), blob.md5(), name + "'s Content-MD5");
  }

  @Test
  void aSmallFileIsOnePutAndALargeOneBlocksWithTheWholeFileMd5() {
    byte[] small = random(1000, 1);
    byte[] large = random(2 * BLOCK + 5, 2);

    assertEquals(TransferStatus.TRANSFERRED, upload(OverwriteMode.NEVER, "s", small).status());
    assertEquals(TransferStatus.TRANSFERRED, upload(OverwriteMode.NEVER, "l", large).status());

    assertBlob("s", small);
    assertBlob("l", large);
    assertEquals(1, service.count(FakeBlobWriter.Op.PUT_BLOB));
    assertEquals(3, service.count(FakeBlobWriter.Op.STAGE));
    assertEquals(1, service.count(FakeBlobWriter.Op.COMMIT));
  }

  @Test
  void blockIdsAreUniqueToEachUploadAndOfOneLength() {
    upload(OverwriteMode.ALWAYS, "b", random(3 * BLOCK, 3));
    upload(OverwriteMode.ALWAYS, "b", random(3 * BLOCK, 4));

    List<String> ids = service.stagedIds;
    assertEquals(6, ids.size());
    assertEquals(6, new HashSet<>(ids).size(), "no id is staged twice: " + ids);
    assertEquals(1, ids.stream().map(String::length).distinct().count(), "one length: " + ids);
  }

  /**
   * Writer A stages its blocks, then writer B stages and commits its own before A's commit is carried out.
   * With ids shared between uploads, A's commit would name B's blocks: B's bytes under A's Content-MD5.
   */
  @Test
  void aCommitNamesOnlyItsOwnBlocksWhenTwoWritersRace() throws Exception {
    byte[] a = random(3 * BLOCK, 5);
    byte[] b = random(3 * BLOCK + 1, 6);
    CountDownLatch aAtCommit = new CountDownLatch(1);
    CountDownLatch bDone = new CountDownLatch(1);
    AtomicInteger commits = new AtomicInteger();
    service.beforeCommit = () -> {
      if (commits.incrementAndGet() == 1) {
        aAtCommit.countDown();
        await(bDone);
      }
    };

    CompletableFuture<FileTransfer> writerA = CompletableFuture.supplyAsync(
        () -> upload(OverwriteMode.ALWAYS, "race", a));
    await(aAtCommit);
    FileTransfer writerB = upload(OverwriteMode.ALWAYS, "race", b);
    bDone.countDown();

    assertEquals(TransferStatus.TRANSFERRED, writerB.status(), writerB.error());
    FileTransfer lost = writerA.get(10, TimeUnit.SECONDS);
    assertEquals(TransferStatus.FAILED, lost.status(), "A's blocks are gone: its commit cannot take B's");
    assertTrue(lost.error().contains("InvalidBlockList"), lost.error());
    assertBlob("race", b);
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void onlyAlreadyExistsUnderOverwriteFalseIsSkipped() {
    service.create("kept", new byte[] {1});
    FileTransfer exists = upload(OverwriteMode.NEVER, "kept", new byte[] {2});
    assertEquals(TransferStatus.SKIPPED, exists.status());
    assertArrayEquals(new byte[] {1}, service.blob("kept").content());

    for (OverwriteMode mode : List.of(OverwriteMode.ALWAYS, OverwriteMode.NEVER)) {
      for (int size : new int[] {10, 2 * BLOCK}) {
        FakeBlobWriter.Op create = size > BLOCK ? FakeBlobWriter.Op.COMMIT : FakeBlobWriter.Op.PUT_BLOB;
        service.fault(size > BLOCK ? FakeBlobWriter.Op.STAGE : create, FakeBlobWriter.Fault.LEASED, 1);
        FileTransfer refused = upload(mode, "leased-" + mode + size, random(size, 7));
        assertEquals(TransferStatus.FAILED, refused.status(), mode + " " + size);
        assertTrue(refused.error().contains("LeaseIdMissing"), refused.error());
        assertNull(service.blob("leased-" + mode + size));
      }
    }
  }

  @Test
  void aRetriedCreateThatFindsItsOwnBlobIsTransferredAndAnotherWritersSkipped() {
    byte[] small = random(100, 8);
    byte[] large = random(2 * BLOCK, 9);
    service.fault(FakeBlobWriter.Op.PUT_BLOB, FakeBlobWriter.Fault.LOST_RESPONSE, 1);
    service.fault(FakeBlobWriter.Op.COMMIT, FakeBlobWriter.Fault.LOST_RESPONSE, 1);

    FileTransfer ownSmall = upload(OverwriteMode.NEVER, "own-small", small);
    FileTransfer ownLarge = upload(OverwriteMode.NEVER, "own-large", large);

    assertEquals(TransferStatus.TRANSFERRED, ownSmall.status(), ownSmall.error());
    assertEquals(TransferStatus.TRANSFERRED, ownLarge.status(), ownLarge.error());
    assertBlob("own-small", small);
    assertBlob("own-large", large);
    assertEquals(2, retries.get(), "one retry of each create");
    assertEquals(2, service.count(FakeBlobWriter.Op.PROPERTIES), "then one look at the blob each");

    // The first try failed before reaching the service, and another writer created the blob meanwhile.
    service.fault(FakeBlobWriter.Op.PUT_BLOB, FakeBlobWriter.Fault.TRANSIENT, 1);
    service.create("theirs", new byte[] {9});
    FileTransfer theirs = upload(OverwriteMode.NEVER, "theirs", small);
    assertEquals(TransferStatus.SKIPPED, theirs.status());
    assertArrayEquals(new byte[] {9}, service.blob("theirs").content());
  }

  @Test
  void everyRequestIsRetriedUnderThePolicyAndCountedByTheListener() {
    byte[] large = random(3 * BLOCK, 10);
    service.fault(FakeBlobWriter.Op.STAGE, FakeBlobWriter.Fault.TRANSIENT, 2);
    service.fault(FakeBlobWriter.Op.COMMIT, FakeBlobWriter.Fault.TRANSIENT, 1);
    service.fault(FakeBlobWriter.Op.PUT_BLOB, FakeBlobWriter.Fault.TRANSIENT, 3);
    service.fault(FakeBlobWriter.Op.PROPERTIES, FakeBlobWriter.Fault.TRANSIENT, 1);

    assertEquals(TransferStatus.TRANSFERRED, upload(OverwriteMode.ALWAYS, "l", large).status());
    assertEquals(TransferStatus.TRANSFERRED, upload(OverwriteMode.IF_DIFFERENT, "s", new byte[] {1}).status());

    assertBlob("l", large);
    assertBlob("s", new byte[] {1});
    assertEquals(7, retries.get());
  }

  @Test
  void aSourceThatChangesWhileItIsReadIsFailedAndNotWritten() {
    byte[] content = random(2 * BLOCK + 3, 11);
    Instant t0 = Instant.parse("2024-01-01T00:00:00Z");
    // Same size, touched while read: the modification time tells.
    assertChanged(content, content.length, () -> content, List.of(t0, t0.plusSeconds(1)), "modified at");
    // Grew past its size while read.
    byte[] longer = random(2 * BLOCK + 10, 11);
    assertChanged(content, content.length, () -> longer, List.of(t0, t0), "more than its");
    // Grew, and the size says so.
    assertChanged(content, content.length, () -> content, List.of(t0, t0), "size " + content.length + " → "
        + (content.length + 1), content.length + 1);
    // Shorter than its size: the stream ended early.
    byte[] small = random(100, 12);
    assertChanged(small, 200, () -> small, List.of(t0, t0), "only 100 of its 200 bytes", 200);
    assertEquals(0, service.count(FakeBlobWriter.Op.PUT_BLOB) + service.count(FakeBlobWriter.Op.COMMIT),
        "nothing was written");
  }

  private void assertChanged(byte[] listed, long length, Supplier<byte[]> read, List<Instant> times,
      String reason) {
    assertChanged(listed, length, read, times, reason, length);
  }

  private void assertChanged(byte[] listed, long length, Supplier<byte[]> read, List<Instant> times,
      String reason, long lengthAfter) {
    assertChanged(engine(OverwriteMode.ALWAYS), listed, length, read, times, reason, lengthAfter);
    assertChanged(streaming(OverwriteMode.ALWAYS), listed, length, read, times, reason, lengthAfter);
  }

  private void assertChanged(UploadEngine engine, byte[] listed, long length, Supplier<byte[]> read,
      List<Instant> times, String reason, long lengthAfter) {
    AtomicInteger snapshots = new AtomicInteger();
    UploadSource source = new UploadSource() {
      @Override
      public InputStream open() {
        return new ByteArrayInputStream(read.get());
      }

      @Override
      public Snapshot snapshot() {
        int n = snapshots.getAndIncrement();
        return new Snapshot(n == 0 ? length : lengthAfter, times.get(Math.min(n, times.size() - 1)));
      }
    };
    FileTransfer result = engine.upload(new UploadItem("/src/ckpt", "ckpt", listed.length), source);
    assertEquals(TransferStatus.FAILED, result.status());
    assertTrue(result.error().startsWith("/src/ckpt changed while it was being uploaded (")
        && result.error().contains(reason) && result.error().contains("nothing was written"), result.error());
    assertNull(service.blob("ckpt"));
  }

  @Test
  void ifDifferentSkipsTheSameContentAndReplacesOther() {
    byte[] content = random(50, 13);
    service.create("same", content);
    FileTransfer same = upload(OverwriteMode.IF_DIFFERENT, "same", content);
    assertEquals(TransferStatus.SKIPPED, same.status());
    assertTrue(same.checksumVerified());
    Set<FakeBlobWriter.Op> none = Set.of(FakeBlobWriter.Op.PUT_BLOB, FakeBlobWriter.Op.COMMIT);
    assertTrue(service.calls.stream().noneMatch(none::contains));

    service.create("other", new byte[] {1});
    assertEquals(TransferStatus.TRANSFERRED, upload(OverwriteMode.IF_DIFFERENT, "other", content).status());
    assertBlob("other", content);
  }

  /** A source whose n-th open yields {@code reads[n]} (the last one thereafter), its snapshots those given. */
  private static final class Scripted implements UploadSource {
    private final List<byte[]> reads;
    private final List<Snapshot> snapshots;
    final AtomicInteger opens = new AtomicInteger();
    private final AtomicInteger snapshotted = new AtomicInteger();

    Scripted(List<byte[]> reads, List<Snapshot> snapshots) {
      this.reads = reads;
      this.snapshots = snapshots;
    }

    @Override
    public InputStream open() {
      return new ByteArrayInputStream(reads.get(Math.min(opens.getAndIncrement(), reads.size() - 1)));
    }

    @Override
    public Snapshot snapshot() {
      return snapshots.get(Math.min(snapshotted.getAndIncrement(), snapshots.size() - 1));
    }
  }

  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

  private static UploadSource.Snapshot at(long length, Instant modified) {
    return new UploadSource.Snapshot(length, modified);
  }

  private FileTransfer upload(UploadEngine engine, String name, UploadSource source, long length) {
    return engine.upload(new UploadItem("/src/" + name, name, length), source);
  }

  @Test
  void aFileUpToTheThresholdIsOneStreamedPutBlobWithItsMd5() {
    byte[] content = random(9 * 1024 * 1024, 20);
    Scripted source = new Scripted(List.of(content), List.of(at(content.length, T0)));

    FileTransfer done = upload(streaming(OverwriteMode.NEVER), "nine", source, content.length);

    assertEquals(TransferStatus.TRANSFERRED, done.status(), done.error());
    assertEquals(Md5.hex(Md5.of(content, content.length)), done.contentMd5());
    assertTrue(done.checksumVerified(), "the service checked the body against its MD5");
    assertBlob("nine", content);
    assertEquals(List.of(FakeBlobWriter.Op.PUT_BLOB), service.calls);
    assertEquals(1, service.streamedPuts);
    assertEquals(2, source.opens.get(), "a hash pass, then the body");
  }

  @Test
  void ifDifferentHashesAStreamedFileOnce() {
    byte[] content = random(2 * BLOCK, 21);
    service.create("same", content);
    Scripted same = new Scripted(List.of(content), List.of(at(content.length, T0)));
    assertEquals(TransferStatus.SKIPPED, upload(streaming(OverwriteMode.IF_DIFFERENT), "same", same,
        content.length).status());
    assertEquals(1, same.opens.get(), "the hash pass also decides ifDifferent");

    service.create("other", random(2 * BLOCK, 22));
    Scripted other = new Scripted(List.of(content), List.of(at(content.length, T0)));
    assertEquals(TransferStatus.TRANSFERRED, upload(streaming(OverwriteMode.IF_DIFFERENT), "other", other,
        content.length).status());
    assertEquals(2, other.opens.get());
    assertBlob("other", content);
  }

  @Test
  void aFileAboveTheThresholdStillStagesBlocks() {
    UploadEngine engine = new UploadEngine(service, OverwriteMode.ALWAYS, false, 4, QUICK, listener, 2 * BLOCK, BLOCK);
    byte[] at = random(2 * BLOCK, 23);
    byte[] above = random(2 * BLOCK + 1, 24);

    assertEquals(TransferStatus.TRANSFERRED, upload(engine, "at", UploadSource.of(at), at.length).status());
    assertEquals(TransferStatus.TRANSFERRED, upload(engine, "above", UploadSource.of(above), above.length).status());

    assertBlob("at", at);
    assertBlob("above", above);
    assertEquals(1, service.streamedPuts);
    assertEquals(1, service.count(FakeBlobWriter.Op.PUT_BLOB));
    assertEquals(3, service.count(FakeBlobWriter.Op.STAGE));
    assertEquals(1, service.count(FakeBlobWriter.Op.COMMIT));
  }

  @Test
  void aSourceThatChangesBetweenTheHashPassAndTheSendIsFailedAndNotWritten() {
    byte[] first = random(2 * BLOCK + 3, 25);
    byte[] rewritten = random(2 * BLOCK + 3, 26);
    for (OverwriteMode mode : List.of(OverwriteMode.ALWAYS, OverwriteMode.NEVER)) {
      // Same size and modification time (a coarse clock): only the bytes tell.
      Scripted source = new Scripted(List.of(first, rewritten), List.of(at(first.length, T0)));
      FileTransfer result = upload(streaming(mode), "swap-" + mode, source, first.length);
      assertEquals(TransferStatus.FAILED, result.status(), mode.toString());
      assertTrue(result.error().startsWith("/src/swap-" + mode + " changed while it was being uploaded (")
          && result.error().contains("MD5") && result.error().contains("nothing was written"), result.error());
      assertNull(service.blob("swap-" + mode));
    }

    // Shrank before the send: the short body is not retried.
    Scripted shrunk = new Scripted(List.of(first, random(100, 27)),
        List.of(at(first.length, T0), at(first.length, T0), at(100, T0.plusSeconds(1))));
    FileTransfer result = upload(streaming(OverwriteMode.ALWAYS), "shrunk", shrunk, first.length);
    assertEquals(TransferStatus.FAILED, result.status());
    assertTrue(result.error().contains("size " + first.length + " → 100 bytes")
        && result.error().contains("nothing was written"), result.error());
    assertNull(service.blob("shrunk"));
    assertEquals(0, retries.get());
  }

  @Test
  void aStreamedPutBlobIsRetriedWithItsBodyReopened() {
    byte[] content = random(2 * BLOCK + 3, 28);
    service.fault(FakeBlobWriter.Op.PUT_BLOB, FakeBlobWriter.Fault.TRANSIENT, 2);
    service.fault(FakeBlobWriter.Op.PUT_BLOB, FakeBlobWriter.Fault.LOST_RESPONSE, 1);
    Scripted source = new Scripted(List.of(content), List.of(at(content.length, T0)));

    FileTransfer done = upload(streaming(OverwriteMode.NEVER), "retried", source, content.length);

    assertEquals(TransferStatus.TRANSFERRED, done.status(), done.error());
    assertBlob("retried", content);
    // The two resets come before the request starts (no body); the lost one and its retry each send one.
    assertEquals(1 + 2, source.opens.get(), "the hash pass, then a fresh body per try that sends one");
    assertEquals(3, retries.get());
    assertEquals(1, service.count(FakeBlobWriter.Op.PROPERTIES), "the lost response: its own blob is found");
  }

  @Test
  void aSourceTouchedDuringTheSendIsFailedSayingTheBlobHoldsTheFirstRead() {
    byte[] content = random(2 * BLOCK + 3, 29);
    Scripted source = new Scripted(List.of(content),
        List.of(at(content.length, T0), at(content.length, T0), at(content.length, T0.plusSeconds(1))));

    FileTransfer result = upload(streaming(OverwriteMode.ALWAYS), "touched", source, content.length);

    assertEquals(TransferStatus.FAILED, result.status());
    assertTrue(result.error().contains("changed while it was being uploaded (modified at")
        && result.error().contains("holds its content as first read"), result.error());
    assertBlob("touched", content);
  }
}
