package io.github.amlspark.transfer;

import java.io.IOException;

/** Bytes that did not match their MD5. Worth a retry: the next fetch may arrive intact. */
final class ChecksumMismatch extends IOException {
  private static final long serialVersionUID = 1L;

  ChecksumMismatch(String detail) {
    super(DownloadEngine.CHECKSUM_MISMATCH + ": " + detail);
  }
}
