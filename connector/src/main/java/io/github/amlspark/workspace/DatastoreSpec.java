package io.github.amlspark.workspace;

import io.github.amlspark.auth.SecretString;

/**
 * A datastore resolved to a blob container and the credential that reaches it. Driver-only: executors
 * receive an {@link io.github.amlspark.auth.ContainerAccess} derived from it.
 *
 * @param name the datastore name
 * @param accountUrl the storage account's blob endpoint, e.g. {@code https://acct.blob.core.windows.net}
 * @param container the container (or ADLS Gen2 file system)
 * @param accountKey the account key, or null
 * @param sasToken a SAS token for the container or account, or null
 */
public record DatastoreSpec(String name, String accountUrl, String container, SecretString accountKey,
    SecretString sasToken) {

  /** @return the container's URL */
  public String containerUrl() {
    return accountUrl.replaceAll("/+$", "") + "/" + container;
  }

  @Override
  public String toString() {
    return "Datastore(" + name + " -> " + containerUrl() + ")";
  }
}
