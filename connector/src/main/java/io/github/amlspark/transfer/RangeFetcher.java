package io.github.amlspark.transfer;

import java.io.IOException;
import java.util.Arrays;

/**
 * One ranged GET into a fresh buffer, tried again under the {@link RetryPolicy} when it fails in a way
 * another try may not (throttling, server errors, a broken or stalled body), and checked against the
 * range MD5 the service sends when checksums are validated: bytes that do not match are fetched again, up
 * to three times in all.
 */
final class RangeFetcher {
  private static final int RANGE_ATTEMPTS = 3;

  private final RangeSource source;
  private final boolean validate;
  private final RetryPolicy retry;
  private final TransferListener listener;

  RangeFetcher(RangeSource source, boolean validate, RetryPolicy retry, TransferListener listener) {
    this.source = source;
    this.validate = validate;
    this.retry = retry;
    this.listener = listener;
  }

  /**
   * @return the bytes, with their MD5 when validating (null otherwise)
   * @throws ChecksumMismatch when every attempt arrived corrupt
   * @throws IOException when the request fails and the retry policy gives up
   */
  Chunk fetch(BlobEntry blob, long offset, int count) throws IOException {
    for (int attempt = 1; ; attempt++) {
      byte[] data = new byte[count];
      byte[] sent = retry.run(listener, tryNumber -> source.read(blob, offset, count, validate, data));
      if (!validate) {
        return new Chunk(data, null);
      }
      byte[] received = Md5.of(data, count);
      if (Arrays.equals(sent, received)) {
        return new Chunk(data, received);
      }
      if (attempt >= RANGE_ATTEMPTS) {
        throw new ChecksumMismatch("bytes " + offset + "-" + (offset + count - 1) + " of " + blob.path()
            + (sent == null ? " arrived without the range MD5 that was asked for"
                : " hash to " + Md5.hex(received) + " but the service sent " + Md5.hex(sent))
            + ", " + RANGE_ATTEMPTS + " times");
      }
      listener.retried();
    }
  }

  /**
   * Bytes of one range.
   *
   * @param data the bytes
   * @param md5 their MD5 when validating, else null
   */
  record Chunk(byte[] data, byte[] md5) {
    static final Chunk EMPTY = new Chunk(new byte[0], Md5.of(new byte[0], 0));
  }
}
