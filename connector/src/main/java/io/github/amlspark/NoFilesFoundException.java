package io.github.amlspark;

/** No file matches the given prefix in the datastore or run. */
public class NoFilesFoundException extends AzureMLException {
  private static final long serialVersionUID = 1L;

  /** @param message what was asked, what was found and what to do */
  public NoFilesFoundException(String message) {
    super(message);
  }
}
