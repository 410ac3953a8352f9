package io.github.amlspark.transfer;

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

  /**
   * Streams {@code [offset, offset + length)} of a blob to {@code sink} in pieces as they arrive, for
   * ranges too large to hold in memory.
   *
   * @param blob the blob, as listed
   * @param offset first byte
   * @param length bytes to stream, at least 1
   * @param sink receives every piece with the blob offset of its first byte
   * @throws IOException when the request fails, the sink fails, or fewer bytes arrive
   */
  void stream(BlobEntry blob, long offset, long length, Sink sink) throws IOException;

  /** Where streamed bytes go. */
  interface Sink {
    /**
     * @param data bytes, valid in {@code [0, count)} until this call returns
     * @param count how many
     * @param position the blob offset of {@code data[0]}
     * @throws IOException when they cannot be stored
     */
    void write(byte[] data, int count, long position) throws IOException;
  }
}
