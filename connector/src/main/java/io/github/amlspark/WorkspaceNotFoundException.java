package io.github.amlspark;

/** No Azure ML workspace could be found, or a given workspace config file does not exist. */
public class WorkspaceNotFoundException extends AzureMLException {
  private static final long serialVersionUID = 1L;

  /** @param message what was asked, what was found and what to do */
  public WorkspaceNotFoundException(String message) {
    super(message);
  }
}
