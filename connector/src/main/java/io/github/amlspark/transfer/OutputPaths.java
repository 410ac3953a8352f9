package io.github.amlspark.transfer;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

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

  /**
   * Blobs that cannot land because other blobs need a folder at their path ({@code a} beside {@code a/b}):
   * a file and a folder cannot share a path, and which one won would depend on timing. The file is refused,
   * so the report is the same on every run and the folder's files all land.
   *
   * @param blobPaths every path of one download
   * @return the refused paths, each with its error naming the blob it conflicts with
   */
  public static Map<String, String> folderConflicts(Collection<String> blobPaths) {
    Map<String, String> childOf = new HashMap<>();
    for (String path : blobPaths) {
      for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
        childOf.putIfAbsent(path.substring(0, slash), path);
      }
    }
    Map<String, String> refused = new LinkedHashMap<>();
    for (String path : blobPaths) {
      String child = childOf.get(path);
      if (child != null && isSafe(path)) {
        refused.put(path, "Blob \"" + path + "\" was not written: blob \"" + child + "\" needs a folder at the "
            + "same path, and a file and a folder cannot share one. Rename one of them, or download them "
            + "separately with 'prefix' or 'pathGlobFilter'.");
      }
    }
    return refused;
  }

  // An unsafe name is refused by relativeFile, with its own reason.
  private static boolean isSafe(String blobPath) {
    try {
      relativeFile(blobPath);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static IllegalArgumentException unsafe(String blobPath, String why) {
    return new IllegalArgumentException("Blob name \"" + blobPath + "\" was not written: " + why
        + ", so it could land outside the output folder. Rename the blob, or exclude it with "
        + "'prefix' or 'pathGlobFilter'.");
  }
}
