package io.github.amlspark;

/**
 * Thrown by the Java API when at least one file FAILED, after all the others finished. The report holds
 * every file's outcome; the files that succeeded are in place.
 */
public class TransferException extends AzureMLException {
  private static final long serialVersionUID = 1L;

  private final transient TransferReport report;

  /**
   * @param message what failed and what to do
   * @param report the outcome of every file
   */
  public TransferException(String message, TransferReport report) {
    super(message);
    this.report = report;
  }

  /** @return the outcome of every file, the failed ones included */
  public TransferReport report() {
    return report;
  }
}
