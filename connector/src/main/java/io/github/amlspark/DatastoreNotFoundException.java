package io.github.amlspark;

/** The named datastore is not known to the workspace; the message lists the ones that are. */
public class DatastoreNotFoundException extends AzureMLException {
  private static final long serialVersionUID = 1L;

  /** @param message what was asked, what was found and what to do */
  public DatastoreNotFoundException(String message) {
    super(message);
  }
}
