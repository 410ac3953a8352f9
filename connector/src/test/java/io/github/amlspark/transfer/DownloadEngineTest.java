package io.github.amlspark.transfer;

import static io.github.amlspark.transfer.TransferTestSupport.FAST_RETRY;
import static io.github.amlspark.transfer.TransferTestSupport.MIB;
import static io.github.amlspark.transfer.TransferTestSupport.assertNoTempFiles;
import static io.github.amlspark.transfer.TransferTestSupport.blob;
import static io.github.amlspark.transfer.TransferTestSupport.bytes;
import static io.github.amlspark.transfer.TransferTestSupport.drain;
import static io.github.amlspark.transfer.TransferTestSupport.filesUnder;
import static io.github.amlspark.transfer.TransferTestSupport.localFile;
import static io.github.amlspark.transfer.TransferTestSupport.md5Hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.config.TransferSettings;
import io.github.amlspark.transfer.TransferTestSupport.RecordingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DownloadEngine end to end against an in-memory source. Runs once with a plain local folder
 * ({@link LocalDownloadEngineTest}) and once through a Hadoop file system ({@link HadoopDownloadEngineTest}).
 */
@Timeout(60)
abstract class DownloadEngineTest {
  private static final String EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";

  @TempDir
  Path root;
  Path out;
  FakeRangeSource source;
  RecordingListener listener;

  @BeforeEach
  void setUp() throws IOException {
    out = Files.createDirectories(root.resolve("out"));
    source = new FakeRangeSource();
    listener = new RecordingListener();
  }

  /** @return the outputFolder string that names the local folder {@code out} */
  abstract String folder(Path out);

  Configuration conf() {
    return new Configuration();
  }

  List<FileTransfer> download(OverwriteMode mode, boolean validate, int concurrency,
      List<BlobEntry> blobs) throws IOException {
    return download(mode, validate, true, concurrency, blobs);
  }

  private List<FileTransfer> download(OverwriteMode mode, boolean validate, boolean checkMd5, int concurrency,
      List<BlobEntry> blobs) throws IOException {
    OutputFolder folder = OutputFolder.open(folder(out), conf());
    TransferSettings settings = new TransferSettings(folder(out), mode, validate, concurrency, FAST_RETRY,
        checkMd5);
    List<FileTransfer> results = drain(new DownloadEngine(source, folder, settings, listener).download(blobs));
    assertEquals(blobs.size(), results.size());
    return results;
  }

  BlobEntry put(String name, byte[] content) {
    source.put("container-root/" + name, content);
    return blob(name, content);
  }

  private BlobEntry put(String name, byte[] content, String listedMd5) {
    source.put("container-root/" + name, content);
    return blob(name, content, listedMd5);
  }

  static String key(String path) {
    return "container-root/" + path;
  }

  void assertTransferred(FileTransfer r, byte[] expected, boolean verified) throws IOException {
    assertEquals(TransferStatus.TRANSFERRED, r.status(), () -> String.valueOf(r.error()));
    assertNull(r.error());
    assertEquals(expected.length, r.length());
    assertEquals(verified, r.checksumVerified());
    assertEquals(out.resolve(r.path()), localFile(r));
    // The report's MD5 must describe the bytes on disk, not echo the listing's.
    byte[] written = Files.readAllBytes(out.resolve(r.path()));
    assertEquals(md5Hex(written), r.contentMd5(), () -> r.path() + ": the reported MD5 is not that of the file");
    assertArrayEquals(expected, written, r.path());
  }

  // ---------------------------------------------------------------- happy paths

  @Test
  void smallAndMultiRangeBlobsWithValidation() throws IOException {
    byte[] small = bytes(1000, 1);
    byte[] big = bytes(9 * MIB, 2);
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 4,
        List.of(put("a.txt", small), put("dir/sub/big.bin", big)));

    assertTransferred(results.get(0), small, true);
    assertTransferred(results.get(1), big, true);
    assertEquals(1, source.calls(key("a.txt")));
    assertEquals(3, source.calls(key("dir/sub/big.bin")), "4 MiB ranges when validating: 4 + 4 + 1");
    assertEquals(List.of("a.txt", "dir/sub/big.bin"), filesUnder(out));
    assertEquals(small.length + big.length, listener.bytes.get());
    assertEquals(2, listener.done.size());
    assertEquals(0, listener.retries.get());
  }

  @Test
  void multiRangeBlobsWithoutValidationUseThePlainRangeSize() throws IOException {
    int range = new TransferSettings(null, OverwriteMode.NEVER, false, 1, FAST_RETRY).rangeBytes();
    assertEquals(TransferSettings.PLAIN_RANGE_BYTES, range);
    assertTrue(range > TransferSettings.MD5_RANGE_BYTES, "larger ranges when no range MD5 is asked for");
    byte[] twoRanges = bytes(range + 5, 3);
    byte[] threeRanges = bytes(2 * range + MIB, 4);
    List<FileTransfer> results = download(OverwriteMode.NEVER, false, 1,
        List.of(put("two.bin", twoRanges), put("three.bin", threeRanges)));

    assertTransferred(results.get(0), twoRanges, true);
    assertTransferred(results.get(1), threeRanges, true);
    assertEquals(2, source.calls(key("two.bin")));
    assertEquals(3, source.calls(key("three.bin")));
  }

  @Test
  void rangeBoundaries() throws IOException {
    byte[] exact = bytes(4 * MIB, 5);
    byte[] onePast = bytes(4 * MIB + 1, 6);
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 2,
        List.of(put("exact.bin", exact), put("onepast.bin", onePast)));
    assertTransferred(results.get(0), exact, true);
    assertTransferred(results.get(1), onePast, true);
    assertEquals(1, source.calls(key("exact.bin")));
    assertEquals(2, source.calls(key("onepast.bin")));
  }

  @Test
  void zeroLengthBlob() throws IOException {
    BlobEntry empty = put("empty.txt", new byte[0]);
    assertEquals(EMPTY_MD5, empty.contentMd5());
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 2, List.of(empty));
    FileTransfer r = results.get(0);
    assertTransferred(r, new byte[0], true);
    assertEquals(0, source.calls(), "an empty blob needs no GET");
    assertTrue(Files.isRegularFile(out.resolve("empty.txt")));
  }

  @Test
  void zeroLengthBlobWithoutValidationOrMd5() throws IOException {
    source.put(key("e/empty"), new byte[0]);
    List<FileTransfer> results = download(OverwriteMode.ALWAYS, false, 2,
        List.of(blob("e/empty", new byte[0], null)));
    assertEquals(TransferStatus.TRANSFERRED, results.get(0).status());
    assertEquals(0, Files.size(out.resolve("e/empty")));
  }

  @Test
  void resultsComeBackInBlobOrder() throws IOException {
    List<BlobEntry> blobs = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      byte[] c = i == 12 ? bytes(9 * MIB, 100 + i) : bytes(100 + i, 100 + i);
      String name = "f" + i + ".bin";
      blobs.add(put(name, c));
      contents.add(c);
      // Early blobs answer slowest, so that later ones finish first.
      source.delay(key(name), Math.max(0, 40 - 3L * i));
    }
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 8, blobs);
    for (int i = 0; i < blobs.size(); i++) {
      assertEquals(blobs.get(i).path(), results.get(i).path());
      assertTransferred(results.get(i), contents.get(i), true);
    }
  }

  @Test
  void nestedFoldersAreCreated() throws IOException {
    byte[] c = bytes(10, 7);
    download(OverwriteMode.NEVER, false, 2, List.of(put("x/y/z/deep.txt", c)));
    assertArrayEquals(c, Files.readAllBytes(out.resolve("x/y/z/deep.txt")));
  }

  @Test
  void missingOutputFolderIsCreated() throws IOException {
    Files.delete(out);
    byte[] c = bytes(10, 8);
    download(OverwriteMode.NEVER, false, 2, List.of(put("a.txt", c)));
    assertArrayEquals(c, Files.readAllBytes(out.resolve("a.txt")));
  }

  // ---------------------------------------------------------------- overwrite modes

  @Test
  void neverSkipsAnExistingFileWithoutFetching() throws IOException {
    byte[] old = "old content".getBytes();
    Files.write(out.resolve("a.txt"), old);
    byte[] fresh = bytes(50, 9);
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 2, List.of(put("a.txt", fresh)));
    FileTransfer r = results.get(0);
    assertEquals(TransferStatus.SKIPPED, r.status());
    assertNull(r.error());
    assertFalse(r.checksumVerified());
    assertEquals(0, source.calls());
    assertArrayEquals(old, Files.readAllBytes(out.resolve("a.txt")));
  }

  @Test
  void alwaysReplacesAnExistingFile() throws IOException {
    Files.write(out.resolve("a.txt"), "a much longer old content than the new one".getBytes());
    byte[] fresh = bytes(7, 10);
    List<FileTransfer> results = download(OverwriteMode.ALWAYS, false, 2, List.of(put("a.txt", fresh)));
    assertTransferred(results.get(0), fresh, true);
    assertEquals(List.of("a.txt"), filesUnder(out));
  }

  @Test
  void alwaysReplacesAnExistingLargeFile() throws IOException {
    Files.write(out.resolve("big.bin"), bytes(10 * MIB, 11));
    byte[] fresh = bytes(9 * MIB, 12);
    List<FileTransfer> results = download(OverwriteMode.ALWAYS, true, 3, List.of(put("big.bin", fresh)));
    assertTransferred(results.get(0), fresh, true);
    assertNoTempFiles(out);
  }

  @Test
  void ifDifferentSkipsOnlyWhenSizeAndMd5Match() throws IOException {
    byte[] same = bytes(300, 13);
    byte[] sameSizeOld = bytes(300, 14);
    byte[] sameSizeNew = bytes(300, 15);
    byte[] otherSizeNew = bytes(301, 16);
    byte[] noMd5 = bytes(200, 17);
    Files.write(out.resolve("same.bin"), same);
    Files.write(out.resolve("samesize.bin"), sameSizeOld);
    Files.write(out.resolve("othersize.bin"), bytes(300, 18));
    Files.write(out.resolve("nomd5.bin"), noMd5);

    List<FileTransfer> results = download(OverwriteMode.IF_DIFFERENT, false, 4, List.of(
        put("same.bin", same), put("samesize.bin", sameSizeNew), put("othersize.bin", otherSizeNew),
        put("nomd5.bin", noMd5, null), put("new.bin", bytes(5, 19))));

    FileTransfer skipped = results.get(0);
    assertEquals(TransferStatus.SKIPPED, skipped.status());
    assertTrue(skipped.checksumVerified(), "a skip after an MD5 comparison is verified");
    assertEquals(md5Hex(same), skipped.contentMd5());
    assertEquals(0, source.calls(key("same.bin")));

    assertEquals(TransferStatus.TRANSFERRED, results.get(1).status());
    assertArrayEquals(sameSizeNew, Files.readAllBytes(out.resolve("samesize.bin")));
    assertEquals(TransferStatus.TRANSFERRED, results.get(2).status());
    assertArrayEquals(otherSizeNew, Files.readAllBytes(out.resolve("othersize.bin")));
    assertEquals(TransferStatus.TRANSFERRED, results.get(3).status(), "no MD5 to compare: transfer again");
    assertEquals(1, source.calls(key("nomd5.bin")));
    assertEquals(TransferStatus.TRANSFERRED, results.get(4).status());
  }

  @Test
  void ifDifferentComparesTheMd5OfLargeFiles() throws IOException {
    byte[] big = bytes(9 * MIB, 20);
    Files.write(out.resolve("big.bin"), big);
    List<FileTransfer> results = download(OverwriteMode.IF_DIFFERENT, true, 2, List.of(put("big.bin", big)));
    assertEquals(TransferStatus.SKIPPED, results.get(0).status());
    assertEquals(0, source.calls());
  }

  @Test
  void aFolderAtTheTargetPathFails() throws IOException {
    Files.createDirectories(out.resolve("a.txt"));
    List<FileTransfer> results = download(OverwriteMode.ALWAYS, false, 2, List.of(put("a.txt", bytes(3, 21))));
    assertEquals(TransferStatus.FAILED, results.get(0).status());
    assertTrue(results.get(0).error().contains("folder"), results.get(0).error());
    assertEquals(0, source.calls());
    assertTrue(Files.isDirectory(out.resolve("a.txt")));
  }

  // ---------------------------------------------------------------- checksums

  @Test
  void transientCorruptionIsRetriedAndTransferred() throws IOException {
    byte[] c = bytes(2000, 22);
    BlobEntry b = put("a.bin", c);
    source.corrupt(key("a.bin"), 1);
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 2, List.of(b));
    assertTransferred(results.get(0), c, true);
    assertEquals(2, source.calls());
    assertTrue(listener.retries.get() >= 1);
    assertNoTempFiles(out);
  }

  @Test
  void corruptionOutlastingRangeRetriesIsRetriedAsAWholeFile() throws IOException {
    byte[] c = bytes(2000, 23);
    BlobEntry b = put("a.bin", c);
    source.corrupt(key("a.bin"), 3);
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 2, List.of(b));
    assertTransferred(results.get(0), c, true);
    assertEquals(4, source.calls(), "3 corrupt range attempts, then a second file attempt");
    assertNoTempFiles(out);
  }

  @Test
  void transientCorruptionOfOneRangeOfALargeBlob() throws IOException {
    byte[] c = bytes(9 * MIB, 24);
    BlobEntry b = put("big.bin", c);
    source.corrupt(key("big.bin"), 2).corruptOnlyRangeAt(4L * MIB);
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 2, List.of(b));
    assertTransferred(results.get(0), c, true);
    assertEquals(5, source.calls());
  }

  @Test
  void permanentCorruptionFailsAndWritesNothing() throws IOException {
    byte[] c = bytes(2000, 25);
    BlobEntry b = put("dir/a.bin", c);
    BlobEntry ok = put("ok.bin", bytes(10, 26));
    source.corrupt(key("dir/a.bin"), Integer.MAX_VALUE);
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 2, List.of(b, ok));
    FileTransfer r = results.get(0);
    assertEquals(TransferStatus.FAILED, r.status());
    assertFalse(r.checksumVerified());
    assertNotNull(r.error());
    assertTrue(r.error().startsWith(DownloadEngine.CHECKSUM_MISMATCH), r.error());
    assertTrue(r.error().contains("dir/a.bin"), r.error());
    assertFalse(Files.exists(out.resolve("dir/a.bin")));
    assertNoTempFiles(out);
    assertEquals(6, source.calls(key("dir/a.bin")), "3 range attempts in each of 2 file attempts");
    assertEquals(TransferStatus.TRANSFERRED, results.get(1).status(), "other files are unaffected");
  }

  @Test
  void permanentCorruptionOfOneRangeOfALargeBlobFailsAndWritesNothing() throws IOException {
    byte[] c = bytes(9 * MIB, 27);
    BlobEntry b = put("big.bin", c);
    source.corrupt(key("big.bin"), Integer.MAX_VALUE).corruptOnlyRangeAt(4L * MIB);
    List<FileTransfer> results = download(OverwriteMode.ALWAYS, true, 3, List.of(b));
    FileTransfer r = results.get(0);
    assertEquals(TransferStatus.FAILED, r.status());
    assertTrue(r.error().startsWith(DownloadEngine.CHECKSUM_MISMATCH), r.error());
    assertFalse(Files.exists(out.resolve("big.bin")));
    assertNoTempFiles(out);
  }

  @Test
  void permanentCorruptionKeepsAnExistingFileIntact() throws IOException {
    byte[] old = bytes(100, 28);
    Files.write(out.resolve("a.bin"), old);
    BlobEntry b = put("a.bin", bytes(100, 29));
    source.corrupt(key("a.bin"), Integer.MAX_VALUE);
    List<FileTransfer> results = download(OverwriteMode.ALWAYS, true, 2, List.of(b));
    assertEquals(TransferStatus.FAILED, results.get(0).status());
    assertArrayEquals(old, Files.readAllBytes(out.resolve("a.bin")));
    assertNoTempFiles(out);
  }

  @Test
  void wrongListedContentMd5FailsAndWritesNothing() throws IOException {
    byte[] small = bytes(500, 30);
    byte[] big = bytes(9 * MIB, 31);
    String wrong = md5Hex("something else".getBytes());
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 2,
        List.of(put("small.bin", small, wrong), put("big.bin", big, wrong)));
    for (FileTransfer r : results) {
      assertEquals(TransferStatus.FAILED, r.status(), r.path());
      assertTrue(r.error().startsWith(DownloadEngine.CHECKSUM_MISMATCH), r.error());
      assertTrue(r.error().contains(wrong), r.error());
      assertFalse(Files.exists(out.resolve(r.path())), r.path());
    }
    assertNoTempFiles(out);
    assertEquals(List.of(), filesUnder(out));
  }

  @Test
  void wrongListedContentMd5OfAnEmptyBlobFails() throws IOException {
    source.put(key("empty"), new byte[0]);
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 2,
        List.of(blob("empty", new byte[0], md5Hex("x".getBytes()))));
    assertEquals(TransferStatus.FAILED, results.get(0).status());
    assertFalse(Files.exists(out.resolve("empty")));
  }

  // ---------------------------------------------------------------- the default whole-file MD5 check

  /** Three 16 MiB ranges, streamed at their positions into a local folder, in order into a Hadoop one. */
  private static final int STREAMED = 48 * MIB;

  @Test
  void theContentMd5IsCheckedWithoutValidateChecksum() throws IOException {
    String wrong = md5Hex("something else".getBytes());
    List<FileTransfer> results = download(OverwriteMode.NEVER, false, 4, List.of(
        put("small.bin", bytes(500, 60), wrong), put("big.bin", bytes(9 * MIB, 61), wrong),
        put("streamed.bin", bytes(STREAMED, 62), wrong)));
    for (FileTransfer r : results) {
      assertEquals(TransferStatus.FAILED, r.status(), r.path());
      assertFalse(r.checksumVerified());
      assertTrue(r.error().startsWith(DownloadEngine.CHECKSUM_MISMATCH), r.error());
      assertTrue(r.error().contains(wrong) && r.error().contains("checkMd5=false"), r.error());
      assertFalse(Files.exists(out.resolve(r.path())), r.path());
    }
    assertEquals(2, source.calls(key("small.bin")), "the whole file is fetched again once");
    assertNoTempFiles(out);
  }

  @Test
  void corruptBytesWithoutValidateChecksumAreCaughtAndFetchedAgain() throws IOException {
    byte[] small = bytes(2000, 63);
    BlobEntry b = put("small.bin", small);
    source.corrupt(key("small.bin"), 1);
    assertTransferred(download(OverwriteMode.NEVER, false, 2, List.of(b)).get(0), small, true);
    assertEquals(2, source.calls(key("small.bin")));
    assertEquals(1, listener.retries.get());
  }

  @Test
  void aCorruptLaterRangeOfAStreamedBlobIsCaught() throws IOException {
    byte[] c = bytes(STREAMED, 64);
    BlobEntry b = put("streamed.bin", c);
    source.corrupt(key("streamed.bin"), 1).corruptOnlyRangeAt(16L * MIB);
    assertTransferred(download(OverwriteMode.NEVER, false, 4, List.of(b)).get(0), c, true);
    assertTrue(listener.retries.get() >= 1, "the whole file was fetched again");
    assertNoTempFiles(out);
  }

  @Test
  void aStreamedBlobIsHashedInOrderWhenItsFirstRangeFinishesLast() throws IOException {
    byte[] c = bytes(STREAMED, 65);
    source.delayRangeAt(0, 300);
    FileTransfer r = download(OverwriteMode.NEVER, false, 4, List.of(put("streamed.bin", c))).get(0);
    assertTransferred(r, c, true);
    assertEquals(0, listener.retries.get());
  }

  @Test
  void aBrokenStreamOfAHashedBlobFailsWithItsReasonAndDoesNotHang() throws IOException {
    BlobEntry b = put("streamed.bin", bytes(STREAMED, 66));
    source.failWith(key("streamed.bin"), "Connection reset by peer (streamed)");
    FileTransfer r = download(OverwriteMode.NEVER, false, 4, List.of(b)).get(0);
    assertEquals(TransferStatus.FAILED, r.status());
    assertTrue(r.error().contains("Connection reset by peer (streamed)"), r.error());
    assertNoTempFiles(out);
  }

  @Test
  void checkMd5OffDownloadsUncheckedAndTheRowSaysSo() throws IOException {
    String wrong = md5Hex("something else".getBytes());
    byte[] listedWrong = bytes(500, 67);
    byte[] noMd5 = bytes(9 * MIB, 68);
    List<FileTransfer> results = download(OverwriteMode.NEVER, false, false, 2,
        List.of(put("wrong.bin", listedWrong, wrong), put("nomd5.bin", noMd5, null)));
    for (FileTransfer r : results) {
      assertEquals(TransferStatus.TRANSFERRED, r.status(), r.path());
      assertFalse(r.checksumVerified(), "nothing was compared");
    }
    assertEquals(wrong, results.get(0).contentMd5(), "unverified: the listed Content-MD5");
    assertNull(results.get(1).contentMd5());
    assertArrayEquals(listedWrong, Files.readAllBytes(out.resolve("wrong.bin")));

    // A blob without a Content-MD5 is verified by its range MD5s alone, and its bytes' MD5 is reported.
    FileTransfer validated = download(OverwriteMode.ALWAYS, true, 2, List.of(put("nomd5.bin", noMd5, null)))
        .get(0);
    assertTrue(validated.checksumVerified());
    assertEquals(md5Hex(noMd5), validated.contentMd5());
    FileTransfer unchecked = download(OverwriteMode.ALWAYS, false, 2, List.of(put("nomd5.bin", noMd5, null)))
        .get(0);
    assertFalse(unchecked.checksumVerified(), "no Content-MD5 and no range MD5s: nothing to compare");
  }

  // ---------------------------------------------------------------- failures

  @Test
  void unsafeBlobPathsFailAndNothingLandsOutsideTheFolder() throws IOException {
    List<BlobEntry> blobs = List.of(put("../evil.txt", bytes(5, 32)), put("a/../../evil2.txt", bytes(5, 33)),
        put("/abs.txt", bytes(5, 34)), put("a//b.txt", bytes(5, 35)), put("ok.txt", bytes(5, 36)));
    List<FileTransfer> results = download(OverwriteMode.ALWAYS, false, 2, blobs);
    for (int i = 0; i < 4; i++) {
      FileTransfer r = results.get(i);
      assertEquals(TransferStatus.FAILED, r.status(), r.path());
      assertTrue(r.error().contains("was not written"), r.error());
      assertEquals(blobs.get(i).path(), r.path());
    }
    assertEquals(TransferStatus.TRANSFERRED, results.get(4).status());
    assertEquals(List.of("out/ok.txt"), filesUnder(root));
    assertEquals(1, source.calls(), "only the safe blob was fetched");
  }

  @Test
  void sourceIOExceptionFailsWithTheReasonAndLeavesNoPartialFile() throws IOException {
    BlobEntry small = put("small.bin", bytes(100, 37));
    BlobEntry big = put("big.bin", bytes(9 * MIB, 38));
    BlobEntry ok = put("ok.bin", bytes(100, 39));
    source.failWith(key("small.bin"), "Connection reset by peer");
    source.failWith(key("big.bin"), "Connection reset by peer (big)");
    List<FileTransfer> results = download(OverwriteMode.NEVER, false, 2, List.of(small, big, ok));

    assertEquals(TransferStatus.FAILED, results.get(0).status());
    assertTrue(results.get(0).error().contains("Connection reset by peer"), results.get(0).error());
    assertTrue(results.get(0).error().contains("small.bin"), results.get(0).error());
    assertFalse(results.get(0).checksumVerified());
    assertEquals(TransferStatus.FAILED, results.get(1).status());
    assertTrue(results.get(1).error().contains("Connection reset by peer (big)"), results.get(1).error());
    assertEquals(TransferStatus.TRANSFERRED, results.get(2).status());
    assertEquals(List.of("ok.bin"), filesUnder(out));
  }

  @Test
  void refusedRequestFailsAtOnceWithTheReason() throws IOException {
    BlobEntry small = put("small.bin", bytes(100, 43));
    BlobEntry big = put("big.bin", bytes(9 * MIB, 44));
    source.refuse(key("small.bin"), "Status 403 AuthenticationFailed");
    source.refuse(key("big.bin"), "Status 412 ConditionNotMet");
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 2, List.of(small, big));
    assertEquals(TransferStatus.FAILED, results.get(0).status());
    assertTrue(results.get(0).error().contains("Status 403 AuthenticationFailed"), results.get(0).error());
    assertEquals(TransferStatus.FAILED, results.get(1).status());
    assertTrue(results.get(1).error().contains("Status 412 ConditionNotMet"), results.get(1).error());
    assertEquals(1, source.calls(key("small.bin")), "an error status is not fetched again");
    assertEquals(List.of(), filesUnder(out));
  }

  @Test
  void transientIOExceptionIsRetried() throws IOException {
    byte[] small = bytes(100, 45);
    byte[] big = bytes(9 * MIB, 46);
    source.put(key("small.bin"), small).put(key("big.bin"), big);
    source.failWith(key("small.bin"), "Connection reset", 1);
    source.failWith(key("big.bin"), "Connection reset", 1);
    List<FileTransfer> results = download(OverwriteMode.NEVER, true, 2,
        List.of(blob("small.bin", small), blob("big.bin", big)));
    assertTransferred(results.get(0), small, true);
    assertTransferred(results.get(1), big, true);
    assertNoTempFiles(out);
  }

  @Test
  void failedResultsAreReportedToTheListenerOnce() throws IOException {
    BlobEntry bad = put("bad.bin", bytes(10, 40));
    BlobEntry good = put("good.bin", bytes(10, 41));
    source.failWith(key("bad.bin"), "boom");
    download(OverwriteMode.NEVER, false, 2, List.of(bad, good));
    assertEquals(2, listener.done.size());
    assertEquals(1, listener.done.stream().filter(r -> r.status() == TransferStatus.FAILED).count());
  }

  @Test
  void blobNameWithAColon() throws IOException {
    byte[] c = bytes(10, 42);
    List<FileTransfer> results = download(OverwriteMode.NEVER, false, 2,
        List.of(put("logs/2024-01-01T10:00:00.json", c)));
    assertTransferred(results.get(0), c, true);
  }
}
