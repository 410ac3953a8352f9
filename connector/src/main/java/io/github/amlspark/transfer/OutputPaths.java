package io.github.amlspark.transfer;

/**
 * Maps a blob's path to the relative file path it is written to, refusing every name that could land
 * outside the output folder or that no file system can hold as given.
 */
public final class OutputPaths {
  private OutputPaths() {
  }

  /**
   * @param blobPath the blob's path relative to the datastore or run root
   * @return the same path, to be resolved against the output folder
   * @throws IllegalArgumentException saying why the name is unsafe
   */
  public static String relativeFile(String blobPath) {
    if (blobPath.isEmpty()) {
      throw unsafe(blobPath, "it is empty");
    }
    if (blobPath.indexOf('\\') >= 0) {
      throw unsafe(blobPath, "it contains a backslash");
    }
    if (blobPath.startsWith("/")) {
      throw unsafe(blobPath, "it is an absolute path");
    }
    for (int i = 0; i < blobPath.length(); i++) {
      if (Character.isISOControl(blobPath.charAt(i))) {
        throw unsafe(blobPath, "it contains a control character");
      }
    }
    for (String segment : blobPath.split("/", -1)) {
      if (segment.isEmpty()) {
        throw unsafe(blobPath, "it has an empty path segment");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw unsafe(blobPath, "it has a '" + segment + "' segment");
      }
    }
    return blobPath;
  }

  private static IllegalArgumentException unsafe(String blobPath, String why) {
    return new IllegalArgumentException("Blob name \"" + blobPath + "\" was not written: " + why
        + ", so it could land outside the output folder. Rename the blob, or exclude it with "
        + "'prefix' or 'pathGlobFilter'.");
  }
}
