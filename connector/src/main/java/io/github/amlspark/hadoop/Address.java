package io.github.amlspark.hadoop;

import io.github.amlspark.workspace.AzureMLAddress;
import java.io.IOException;
import java.util.Locale;
import org.apache.hadoop.fs.Path;

/**
 * An {@code azureml://} path split into its root, the part up to {@code /paths} that names a folder of a
 * datastore, and the path below it.
 *
 * @param authority the Hadoop authority ({@code datastores} or {@code subscriptions})
 * @param rootPath the root's Hadoop path, e.g. {@code /ds/paths}
 * @param root the root, parsed
 * @param relative the path below the root, without a leading slash; "" for the root itself
 */
record Address(String authority, String rootPath, AzureMLAddress root, String relative) {

  /** @return the root as a string, e.g. {@code azureml://datastores/ds/paths}: the key of its mount */
  String rootString() {
    return AzureMLAddress.SCHEME + authority + rootPath;
  }

  /**
   * @param qualified an absolute azureml path
   * @return it, split at the first {@code /paths} segment that ends a supported address root
   * @throws IOException when no prefix of it is one, naming the forms
   */
  static Address of(Path qualified) throws IOException {
    String authority = qualified.toUri().getAuthority();
    String path = qualified.toUri().getPath();
    // A datastore may itself be called "paths": try each /paths segment until the prefix parses.
    for (int at = path.indexOf("/paths"); at >= 0; at = path.indexOf("/paths", at + 1)) {
      int end = at + "/paths".length();
      if (end < path.length() && path.charAt(end) != '/') {
        continue;
      }
      String rootPath = path.substring(0, end);
      AzureMLAddress root;
      try {
        root = AzureMLAddress.parse(AzureMLAddress.SCHEME + authority + rootPath);
      } catch (IllegalArgumentException notARoot) {
        continue;
      }
      // "datastores/<ds>" alone is an address too (the datastore's root): a root ends in the keyword.
      String keyword = root.kind() == AzureMLAddress.Kind.DATASTORE ? "/" + root.datastore() + "/paths" : "";
      if (!rootPath.toLowerCase(Locale.ROOT).endsWith(keyword.toLowerCase(Locale.ROOT))) {
        continue;
      }
      return new Address(authority, rootPath, root, end >= path.length() ? "" : path.substring(end + 1));
    }
    throw new IOException("'" + qualified + "' is not an Azure ML address the azureml file system serves. "
        + "Use azureml://datastores/<datastore>/paths/<path> or "
        + "azureml://subscriptions/<sub>/resourcegroups/<rg>/workspaces/<ws>/datastores/<datastore>/paths/<path>.");
  }
}
