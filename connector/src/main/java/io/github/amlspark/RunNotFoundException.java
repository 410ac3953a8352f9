package io.github.amlspark;

/** The workspace does not know the given run id. */
public class RunNotFoundException extends AzureMLException {
  private static final long serialVersionUID = 1L;

  /** @param message what was asked, what was found and what to do */
  public RunNotFoundException(String message) {
    super(message);
  }
}
