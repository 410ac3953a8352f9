package io.github.amlspark.transfer;

/**
 * The one check of a blob name that amlspark writes, for folder uploads and {@code df.write} rows alike: a
 * name is written exactly as given or not at all, never under a name the service or a later download would
 * change.
 */
public final class BlobNames {
  /** Azure's limit on a blob name's length, in characters. */
  public static final int MAX_LENGTH = 1024;

  private BlobNames() {
  }

  /**
   * @param name the full blob name, relative to the container
   * @return why it cannot be written as given, or null when it can
   */
  public static String problem(String name) {
    if (name.isEmpty()) {
      return "its blob name would be empty";
    }
    if (name.length() > MAX_LENGTH) {
      return "its blob name would be " + name.length() + " characters, more than Azure's " + MAX_LENGTH;
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        return "its name contains a control character, which a blob name cannot hold";
      }
    }
    if (name.indexOf('\\') >= 0) {
      return "its name contains a backslash, which Azure Storage turns into '/'";
    }
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty()) {
        return "its blob name \"" + name + "\" would have an empty path segment (a leading, trailing or "
            + "doubled '/')";
      }
      if (segment.equals(".") || segment.equals("..")) {
        return "its blob name would have a '" + segment + "' segment, which downloads refuse";
      }
      if (segment.endsWith(".")) {
        return "a blob name segment cannot end with a dot";
      }
    }
    return null;
  }
}
