package io.github.amlspark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransferReportTest {
  private static FileTransfer file(String path, long length, TransferStatus status) {
    return new FileTransfer(path, "/out/" + path, length, null, status, false,
        status == TransferStatus.FAILED ? "boom" : null);
  }

  @Test
  void countsAndBytesOfTransferredFilesOnly() {
    TransferReport r = new TransferReport(List.of(
        file("a", 1000, TransferStatus.TRANSFERRED),
        file("b", 2_000_000, TransferStatus.TRANSFERRED),
        file("c", 5000, TransferStatus.SKIPPED),
        file("d", 7000, TransferStatus.FAILED),
        file("e", 1, TransferStatus.SKIPPED)), Duration.ofSeconds(2));
    assertEquals(2, r.transferred());
    assertEquals(2, r.skipped());
    assertEquals(1, r.failed());
    assertEquals(2_001_000, r.bytes());
    assertEquals(Duration.ofSeconds(2), r.elapsed());
    assertEquals(5, r.files().size());
    assertEquals(List.of("d"), r.failures().stream().map(FileTransfer::path).toList());
    assertEquals("2 transferred, 2 skipped, 1 failed, 2,001,000 bytes in 2.00 s (1.0 files/s, 1.0 MB/s)",
        r.summary());
    assertTrue(r.toString().contains(r.summary()), r.toString());
  }

  @Test
  void emptyReport() {
    TransferReport r = new TransferReport(List.of(), Duration.ZERO);
    assertEquals(0, r.transferred());
    assertEquals(0, r.skipped());
    assertEquals(0, r.failed());
    assertEquals(0, r.bytes());
    assertTrue(r.failures().isEmpty());
    assertTrue(r.summary().startsWith("0 transferred, 0 skipped, 0 failed, 0 bytes in 0.00 s"), r.summary());
  }

  @Test
  void isImmutable() {
    List<FileTransfer> files = new ArrayList<>(List.of(file("a", 1, TransferStatus.TRANSFERRED)));
    TransferReport r = new TransferReport(files, Duration.ofMillis(10));
    files.add(file("b", 1, TransferStatus.TRANSFERRED));
    assertEquals(1, r.files().size());
    assertEquals(1, r.transferred());
    assertThrows(UnsupportedOperationException.class, () -> r.files().add(file("c", 1, TransferStatus.FAILED)));
  }
}
