package io.github.amlspark;

/**
 * A {@link TransferException} where the failures include bytes that did not match their MD5 even after
 * retries. The corrupt files were not written to their final paths.
 */
public class ChecksumMismatchException extends TransferException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed and what to do
   * @param report the outcome of every file
   */
  public ChecksumMismatchException(String message, TransferReport report) {
    super(message, report);
  }
}
