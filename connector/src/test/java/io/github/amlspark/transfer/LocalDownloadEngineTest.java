package io.github.amlspark.transfer;

import static io.github.amlspark.transfer.TransferTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.amlspark.OverwriteMode;
import io.github.amlspark.config.TransferSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DownloadEngine into a plain local path. */
class LocalDownloadEngineTest extends DownloadEngineTest {
  @Override
  String folder(Path out) {
    return out.toString();
  }

  @Test
  void aLargeBlobIsStreamedInRangesOfOneSizeWithAShortLastOne() throws IOException {
    long range = TransferSettings.PLAIN_RANGE_BYTES;
    byte[] c = bytes((int) (2 * range + 5), 69);
    assertTransferred(download(OverwriteMode.NEVER, false, 4, List.of(put("big.bin", c))).get(0), c, true);
    // Every range but the last is of the one size, whatever the blob's (the streams run at once, so the
    // order they reach the source in is not asserted).
    assertEquals(List.of("0-" + (range - 1), range + "-" + (2 * range - 1), 2 * range + "-" + (2 * range + 4)),
        source.ranges(key("big.bin")).stream()
            .sorted(Comparator.comparingLong(r -> Long.parseLong(r.split("-")[0]))).toList());
  }
}
