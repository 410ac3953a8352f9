package io.github.amlspark.workspace;

import io.github.amlspark.auth.NamedCredential;
import io.github.amlspark.auth.SecretString;

/**
 * A datastore resolved to a blob container and the credential that reaches it: an account key, a SAS, or
 * an identity (a service principal's, or the caller's own for identity-based datastores) that can obtain
 * a user delegation key. Driver-only: executors receive an {@link io.github.amlspark.auth.ContainerAccess}
 * derived from it.
 *
 * @param name the datastore name
 * @param accountName the storage account's name as the datastore defines it, or null when only its URL is
 *     known (an inline datastore given by {@code account_url} alone); SAS are signed for this account, which
 *     a URL cannot always tell (a proxy or private endpoint with a port, an emulator path)
 * @param accountUrl the storage account's blob endpoint, e.g. {@code https://acct.blob.core.windows.net}
 * @param container the container (or ADLS Gen2 file system)
 * @param accountKey the account key, or null
 * @param sasToken a SAS token for the container or account, or null
 * @param identity the identity that signs user delegation SAS, or null
 * @param adlsGen2 whether Azure ML defines it as an ADLS Gen2 datastore ({@code AzureDataLakeGen2}): its
 *     container is a file system that hadoop-azure's ABFS driver can reach on the account's DFS endpoint
 */
public record DatastoreSpec(String name, String accountName, String accountUrl, String container,
    SecretString accountKey, SecretString sasToken, NamedCredential identity, boolean adlsGen2) {

  /**
   * A blob datastore.
   *
   * @param name the datastore name
   * @param accountName the storage account's name, or null
   * @param accountUrl the storage account's blob endpoint
   * @param container the container
   * @param accountKey the account key, or null
   * @param sasToken a SAS token, or null
   * @param identity the identity that signs user delegation SAS, or null
   */
  public DatastoreSpec(String name, String accountName, String accountUrl, String container,
      SecretString accountKey, SecretString sasToken, NamedCredential identity) {
    this(name, accountName, accountUrl, container, accountKey, sasToken, identity, false);
  }

  /**
   * A datastore reached with a key or a SAS, its account known by URL only.
   *
   * @param name the datastore name
   * @param accountUrl the storage account's blob endpoint
   * @param container the container
   * @param accountKey the account key, or null
   * @param sasToken a SAS token, or null
   */
  public DatastoreSpec(String name, String accountUrl, String container, SecretString accountKey,
      SecretString sasToken) {
    this(name, null, accountUrl, container, accountKey, sasToken, null);
  }

  /** @return the same datastore, marked as ADLS Gen2 */
  public DatastoreSpec asAdlsGen2() {
    return new DatastoreSpec(name, accountName, accountUrl, container, accountKey, sasToken, identity, true);
  }

  /** @return the container's URL */
  public String containerUrl() {
    return accountUrl.replaceAll("/+$", "") + "/" + container;
  }

  @Override
  public String toString() {
    return "Datastore(" + name + " -> " + containerUrl() + ")";
  }
}
