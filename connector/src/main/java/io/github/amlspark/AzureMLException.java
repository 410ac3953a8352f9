package io.github.amlspark;

/**
 * Base of every exception amlspark throws. Unchecked, as in the Azure SDK. Messages say what was asked,
 * what was found and what to do, and never contain a secret.
 */
public class AzureMLException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what was asked, what was found and what to do */
  public AzureMLException(String message) {
    super(message);
  }

  /**
   * @param message what was asked, what was found and what to do
   * @param cause the underlying failure
   */
  public AzureMLException(String message, Throwable cause) {
    super(message, cause);
  }
}
