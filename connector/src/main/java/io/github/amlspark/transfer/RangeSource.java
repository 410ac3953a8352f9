package io.github.amlspark.transfer;

import io.github.amlspark.storage.BlobEntry;
import java.io.IOException;

/** Where the transfer engine reads blob bytes from: one ranged GET per call. */
public interface RangeSource {
  /**
   * Reads {@code [offset, offset + length)} of a blob into {@code buffer[0, length)}.
   *
   * @param blob the blob, as listed
   * @param offset first byte
   * @param length bytes to read, at least 1
   * @param wantRangeMd5 ask the service for the MD5 of this range
   * @param buffer at least {@code length} bytes long
   * @return the range MD5 the service sent, or null when not asked for or not sent
   * @throws IOException when the request fails or returns fewer bytes
   */
  byte[] read(BlobEntry blob, long offset, int length, boolean wantRangeMd5, byte[] buffer)
      throws IOException;
}
