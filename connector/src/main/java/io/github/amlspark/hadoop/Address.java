package io.github.amlspark.hadoop;

import io.github.amlspark.workspace.AzureMLAddress;
import java.io.IOException;
import java.util.Locale;
import org.apache.hadoop.fs.Path;

/**
 * An {@code azureml://} path split into its root, the part that names one place (a datastore's
 * {@code .../paths}, a job's {@code .../outputs/<name>/paths}, a data asset's {@code .../versions/<v>}), and
 * the path below it.
 *
 * @param authority the Hadoop authority ({@code datastores}, {@code jobs}, {@code data} or {@code subscriptions})
 * @param rootPath the root's Hadoop path, e.g. {@code /ds/paths}
 * @param root the root, parsed
 * @param relative the path below the root, without a leading slash; "" for the root itself
 */
record Address(String authority, String rootPath, AzureMLAddress root, String relative) {

  /** @return the root as a string, e.g. {@code azureml://datastores/ds/paths}: the key of its mount */
  String rootString() {
    return AzureMLAddress.SCHEME + authority + rootPath;
  }

  /** @return whether the root is a datastore path: job outputs, artifacts and data assets are read-only records */
  boolean writable() {
    return root.kind() == AzureMLAddress.Kind.DATASTORE;
  }

  /**
   * @param qualified an absolute azureml path
   * @return it, split after the shortest prefix that is a whole address root
   * @throws IOException when no prefix of it is one, naming the forms
   */
  static Address of(Path qualified) throws IOException {
    String authority = qualified.toUri().getAuthority();
    String path = qualified.toUri().getPath();
    boolean latest = false;
    // Shortest first: a datastore may itself be called "paths", a data asset "versions".
    for (int end = path.indexOf('/', 1); ; end = path.indexOf('/', end + 1)) {
      int cut = end < 0 ? path.length() : end;
      String rootPath = path.substring(0, cut);
      AzureMLAddress root = root(authority, rootPath);
      if (root != null && root.kind() == AzureMLAddress.Kind.DATA_ASSET && root.version() == null) {
        latest = true;
      } else if (root != null) {
        return new Address(authority, rootPath, root, cut >= path.length() ? "" : path.substring(cut + 1));
      }
      if (end < 0) {
        break;
      }
    }
    if (latest) {
      // data/<name>/<p> would be ambiguous (is "versions/2" a folder of the latest or version 2?).
      throw new IOException("'" + qualified + "' names a data asset without a version. The azureml file "
          + "system reads data assets by version: .../data/<name>/versions/<version>/<path> "
          + "(format(\"azureml\").load(\"azureml:<name>@latest\") reads the latest).");
    }
    throw new IOException("'" + qualified + "' is not an Azure ML address the azureml file system serves. "
        + "Use azureml://datastores/<datastore>/paths/<path>, azureml://jobs/<job>/outputs/<output>/paths/<path>, "
        + "azureml://data/<asset>/versions/<version>/<path>, or any of them after "
        + "azureml://subscriptions/<sub>/resourcegroups/<rg>/workspaces/<ws>/ (docs/filesystem.md).");
  }

  /** @return the root a prefix names when it ends where a root ends, else null */
  private static AzureMLAddress root(String authority, String rootPath) {
    AzureMLAddress root;
    try {
      root = AzureMLAddress.parse(AzureMLAddress.SCHEME + authority + rootPath);
    } catch (IllegalArgumentException notARoot) {
      return null;
    }
    String lower = rootPath.toLowerCase(Locale.ROOT);
    return switch (root.kind()) {
      // "datastores/<ds>" alone is an address too (the datastore's root), but a root ends in "paths".
      case DATASTORE -> lower.endsWith(("/" + root.datastore() + "/paths").toLowerCase(Locale.ROOT)) ? root : null;
      case ARTIFACTS, JOB_OUTPUT, DATA_ASSET -> root;
    };
  }
}
