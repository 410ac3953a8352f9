package io.github.amlspark.transfer;

import io.github.amlspark.FileTransfer;

/** Hears about a transfer while it runs (metrics, progress). Called from several threads at once. */
public interface TransferListener {
  /**
   * @param first hears first
   * @param second hears second
   * @return a listener that tells both
   */
  static TransferListener both(TransferListener first, TransferListener second) {
    return new TransferListener() {
      @Override
      public void bytesTransferred(long count) {
        first.bytesTransferred(count);
        second.bytesTransferred(count);
      }

      @Override
      public void retried() {
        first.retried();
        second.retried();
      }

      @Override
      public void fileDone(FileTransfer result) {
        first.fileDone(result);
        second.fileDone(result);
      }
    };
  }

  /** @param count bytes that just reached their destination */
  default void bytesTransferred(long count) {
  }

  /** A request, range or file is being tried again (a transient failure or a checksum mismatch). */
  default void retried() {
  }

  /** @param result a file's outcome */
  default void fileDone(FileTransfer result) {
  }
}
