package io.github.amlspark.transfer;

import static io.github.amlspark.transfer.TransferTestSupport.FAST_RETRY;

import static io.github.amlspark.transfer.TransferTestSupport.MIB;
import static io.github.amlspark.transfer.TransferTestSupport.blob;
import static io.github.amlspark.transfer.TransferTestSupport.bytes;
import static io.github.amlspark.transfer.TransferTestSupport.drain;
import static io.github.amlspark.transfer.TransferTestSupport.md5Hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.OverwriteMode;
import io.github.amlspark.config.TransferSettings;
import io.github.amlspark.transfer.TransferTestSupport.RecordingListener;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class ContentReaderTest {
  private final FakeRangeSource source = new FakeRangeSource();
  private final RecordingListener listener = new RecordingListener();

  private BlobEntry put(String name, byte[] content) {
    source.put("container-root/" + name, content);
    return blob(name, content);
  }

  private ContentReader reader(boolean validate, int concurrency) {
    return new ContentReader(source, new TransferSettings(null, OverwriteMode.NEVER, validate, concurrency, FAST_RETRY),
        listener);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void returnsExactBytesOfSmallAndMultiRangeBlobsInOrder(boolean validate) {
    List<BlobEntry> blobs = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    int[] sizes = {1, 1000, 9 * MIB, 0, 4 * MIB, 4 * MIB + 1, 17 * MIB + 3, 7};
    for (int i = 0; i < sizes.length; i++) {
      byte[] c = bytes(sizes[i], i);
      contents.add(c);
      blobs.add(put("f" + i, c));
      source.delay("container-root/f" + i, (sizes.length - i) * 3L);
    }
    List<byte[]> read = drain(reader(validate, 3).read(blobs));
    assertEquals(blobs.size(), read.size());
    for (int i = 0; i < blobs.size(); i++) {
      assertArrayEquals(contents.get(i), read.get(i), "blob f" + i);
    }
    long total = 0;
    for (int s : sizes) {
      total += s;
    }
    assertEquals(total, listener.bytes.get());
  }

  @Test
  void rangeCountsFollowTheSettings() {
    int plain = TransferSettings.PLAIN_RANGE_BYTES;
    BlobEntry big = put("big", bytes(plain + MIB, 50));
    drain(reader(true, 4).read(List.of(big)));
    int md5Ranges = (plain + MIB + TransferSettings.MD5_RANGE_BYTES - 1) / TransferSettings.MD5_RANGE_BYTES;
    assertEquals(md5Ranges, source.calls(), "range MD5s are asked for ranges of at most 4 MiB");
    drain(reader(false, 4).read(List.of(big)));
    assertEquals(md5Ranges + 2, source.calls());
  }

  @Test
  void transientCorruptionIsRetried() {
    byte[] c = bytes(3000, 51);
    BlobEntry b = put("a", c);
    source.corrupt("container-root/a", 3);
    List<byte[]> read = drain(reader(true, 2).read(List.of(b)));
    assertArrayEquals(c, read.get(0));
    assertEquals(4, source.calls());
  }

  @Test
  void permanentCorruptionOfALargeBlobThrowsUncheckedIOException() {
    BlobEntry b = put("big", bytes(9 * MIB, 52));
    source.corrupt("container-root/big", Integer.MAX_VALUE);
    try (TransferPipeline<byte[]> p = reader(true, 2).read(List.of(b))) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, p::next);
      assertTrue(e.getMessage().contains("big"), e.getMessage());
      assertTrue(e.getMessage().contains(DownloadEngine.CHECKSUM_MISMATCH), e.getMessage());
    }
  }

  @Test
  void wrongListedMd5OfALargeBlobThrows() {
    byte[] c = bytes(9 * MIB, 53);
    source.put("container-root/big", c);
    BlobEntry b = blob("big", c, md5Hex(new byte[] {1}));
    try (TransferPipeline<byte[]> p = reader(true, 2).read(List.of(b))) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, p::next);
      assertTrue(e.getMessage().contains(DownloadEngine.CHECKSUM_MISMATCH), e.getMessage());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 9 * MIB})
  void aWrongContentMd5FailsTheReadWithoutValidateChecksum(int size) {
    byte[] c = bytes(size, 56);
    source.put("container-root/b", c);
    BlobEntry b = blob("b", c, md5Hex(new byte[] {1}));
    try (TransferPipeline<byte[]> p = reader(false, 2).read(List.of(b))) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, p::next);
      assertTrue(e.getMessage().contains(DownloadEngine.CHECKSUM_MISMATCH), e.getMessage());
      assertTrue(e.getMessage().contains("b"), e.getMessage());
    }
    assertEquals(2, source.calls(), "one GET per attempt (16 MiB ranges), read again once before failing");
  }

  @Test
  void corruptBytesWithoutValidateChecksumAreReadAgain() {
    byte[] c = bytes(3000, 57);
    BlobEntry b = put("a", c);
    source.corrupt("container-root/a", 1);
    List<byte[]> read = drain(reader(false, 2).read(List.of(b)));
    assertArrayEquals(c, read.get(0));
    assertEquals(2, source.calls());
  }

  @Test
  void failureOfASmallBlobThrowsUncheckedIOException() {
    BlobEntry b = put("small", bytes(100, 54));
    source.failWith("container-root/small", "Status 404 BlobNotFound");
    try (TransferPipeline<byte[]> p = reader(false, 2).read(List.of(b))) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, p::next);
      assertTrue(e.getMessage().contains("Status 404 BlobNotFound"), e.getMessage());
    }
  }

  @Test
  void failureOfALargeBlobNamesTheReason() {
    BlobEntry b = put("big", bytes(9 * MIB, 55));
    source.failWith("container-root/big", "Status 404 BlobNotFound");
    try (TransferPipeline<byte[]> p = reader(false, 2).read(List.of(b))) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, p::next);
      assertTrue(e.getMessage().contains("Status 404 BlobNotFound"), e.getMessage());
      assertTrue(e.getMessage().contains("big"), e.getMessage());
    }
  }

  @Test
  void blobTooLargeForABinaryValueIsRefusedWithoutAGet() {
    BlobEntry huge = new BlobEntry("container-root/huge", "huge", ContentReader.MAX_CONTENT_BYTES + 1, 0L, null,
        null);
    try (TransferPipeline<byte[]> p = reader(false, 2).read(List.of(huge))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p::next);
      assertEquals(ContentReader.tooLarge(huge), e.getMessage());
      assertTrue(e.getMessage().contains("outputFolder"), e.getMessage());
    }
    assertEquals(0, source.calls());
  }
}
