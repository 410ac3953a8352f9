package io.github.amlspark.hadoop;

import java.net.URI;
import org.apache.hadoop.fs.Path;

/**
 * One address root (such as {@code azureml://datastores/ds/paths}) and the storage folder it stands for,
 * translating paths both ways: listings keep showing {@code azureml://} paths.
 *
 * @param authority the address's Hadoop authority ({@code datastores} or {@code subscriptions})
 * @param rootPath the address root's Hadoop path, e.g. {@code /ds/paths}
 * @param storageRoot the storage folder, e.g. {@code wasbs://container@account.blob.core.windows.net/} for a
 *     datastore, {@code wasbs://container@account.blob.core.windows.net/models/train_1/} for a job output, or
 *     the one file a {@code uri_file} output or data asset is
 * @param expiresAtMillis when the SAS that reaches it expires (epoch milliseconds)
 */
record Mount(String authority, String rootPath, URI storageRoot, long expiresAtMillis) {

  /**
   * @param relative a path below the address root, without a leading slash ("" for the root)
   * @return the storage path
   */
  Path toStorage(String relative) {
    return new Path(storageRoot.getScheme(), storageRoot.getAuthority(), storageBase() + relative);
  }

  /**
   * @param storagePath a path below the storage root, as the storage file system returned it
   * @return the same path as an azureml address
   */
  Path toAddress(Path storagePath) {
    String path = storagePath.toUri().getPath();
    String base = storageBase();
    String relative = path.startsWith(base) ? path.substring(base.length())
        : path.equals(base.substring(0, base.length() - 1)) ? "" : null;
    if (relative == null) {
      // Storage answered with a path outside the folder it was asked about: never expected from WASB.
      throw new IllegalStateException(storagePath + " is not below " + storageRoot);
    }
    return new Path(AzureMLFileSystem.SCHEME, authority, relative.isEmpty() ? rootPath : rootPath + "/" + relative);
  }

  /** @return the root of the container that holds the storage root: what one storage file system serves */
  URI container() {
    return storageRoot.resolve("/");
  }

  /** @return the storage root's path, ending in a slash */
  private String storageBase() {
    String p = storageRoot.getPath() == null || storageRoot.getPath().isEmpty() ? "/" : storageRoot.getPath();
    return p.endsWith("/") ? p : p + "/";
  }
}
