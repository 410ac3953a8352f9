package io.github.amlspark.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.conf.Configuration;

/**
 * A download's destination folder: a local folder, or a folder on any Hadoop file system. Files are
 * written under a hidden temporary name in their final folder and moved into place only once complete and
 * verified, so a final path never holds a partial file.
 */
public abstract class OutputFolder {
  static final int BUFFER = 256 * 1024;
  static final String TEMP_SUFFIX = ".amlspark.tmp";

  /**
   * @param folder a plain local path, a {@code file:} URI or any Hadoop URI
   * @param conf Hadoop configuration, for non-local folders
   * @return the folder
   * @throws IOException when its file system cannot be reached
   */
  public static OutputFolder open(String folder, Configuration conf) throws IOException {
    URI uri = toUri(folder);
    // Local folders go through java.nio: Hadoop's local file system forks a chmod process for every
    // file it creates when Hadoop's native library is missing (the usual case), 3-4 ms a file.
    return isLocal(folder) ? new LocalOutputFolder(java.nio.file.Path.of(uri)) : new HadoopOutputFolder(uri, conf);
  }

  /**
   * @param folder a plain local path, a {@code file:} URI or any Hadoop URI
   * @return whether it is on this machine's file system, which needs no Hadoop configuration
   */
  public static boolean isLocal(String folder) {
    return "file".equals(toUri(folder).getScheme());
  }

  /**
   * @param folder a plain local path or a URI
   * @return its URI; a plain path is local, made absolute against this JVM's working directory
   */
  public static URI toUri(String folder) {
    URI uri;
    try {
      uri = URI.create(folder);
    } catch (IllegalArgumentException notAUri) {
      return java.nio.file.Path.of(folder).toAbsolutePath().normalize().toUri();
    }
    if (uri.getScheme() == null || uri.getScheme().length() == 1) {
      return java.nio.file.Path.of(folder).toAbsolutePath().normalize().toUri();
    }
    return uri;
  }

  /**
   * Deletes the temporary files a transfer into a local folder left when its process died: they are
   * never at a final path, but they hold partial bytes.
   *
   * @param folder a local output folder
   * @return how many were deleted
   * @throws IOException when the folder cannot be walked
   */
  public static int removeLeftovers(java.nio.file.Path folder) throws IOException {
    if (!java.nio.file.Files.isDirectory(folder)) {
      return 0;
    }
    int removed = 0;
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(folder)) {
      for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (isTemp(name) && java.nio.file.Files.deleteIfExists(p)) {
          removed++;
        }
      }
    }
    return removed;
  }

  /**
   * Deletes the temporary files that killed tasks, lost executors or a stopped driver left beside these
   * files. Called on the driver before a download's tasks run and after its Spark job (a stopped driver's
   * leftovers in a local folder are also removed by the shared download that takes over, with
   * {@link #removeLeftovers(java.nio.file.Path)}).
   *
   * @param relativeFiles the files a download writes
   * @return how many were deleted
   * @throws IOException when a folder cannot be listed or a file deleted
   */
  public abstract int removeLeftovers(java.util.Collection<String> relativeFiles) throws IOException;

  /** @return whether {@code name} is one of {@link #tempName}'s */
  static boolean isTemp(String name) {
    return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
  }

  /** @return whether {@code name} is one of {@link #tempName}'s for the final name {@code fileName} */
  static boolean isTempOf(String name, String fileName) {
    String start = "." + utf8Prefix(fileName, KEPT_NAME_BYTES) + ".";
    return isTemp(name) && name.startsWith(start) && name.length() == start.length() + 16 + TEMP_SUFFIX.length();
  }

  /**
   * @param location a final path
   * @return why a file cannot land there, and what to do
   */
  static String folderInTheWay(String location) {
    return "A folder exists at " + location + " where this file would land; remove it or download into "
        + "another outputFolder.";
  }

  /** Most file systems' limit on one name, in bytes of UTF-8 (ext4, XFS, HDFS, APFS). */
  static final int MAX_NAME_BYTES = 255;
  // "." + kept part + "." + 16 hex digits + TEMP_SUFFIX, all ASCII but the kept part.
  private static final int KEPT_NAME_BYTES = MAX_NAME_BYTES - 2 - 16 - TEMP_SUFFIX.length();

  /**
   * @param name the final file name
   * @return a temporary name beside it: hidden, unique, recognisable by {@link #removeLeftovers}, and at
   *     most {@value #MAX_NAME_BYTES} bytes of UTF-8 whatever the final name, which is cut only between
   *     code points
   */
  static String tempName(String name) {
    return "." + utf8Prefix(name, KEPT_NAME_BYTES) + "."
        + String.format("%016x", ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX;
  }

  /** @return the longest start of {@code s} that is at most {@code maxBytes} in UTF-8, whole code points only */
  private static String utf8Prefix(String s, int maxBytes) {
    int bytes = 0;
    int end = 0;
    while (end < s.length()) {
      int cp = s.codePointAt(end);
      int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + size > maxBytes) {
        break;
      }
      bytes += size;
      end += Character.charCount(cp);
    }
    return s.substring(0, end);
  }

  /**
   * @param relative a path checked by {@link OutputPaths}
   * @return where that file lands, for reports and messages
   */
  public abstract String location(String relative);

  /**
   * @param relative a path checked by {@link OutputPaths}
   * @return what is at its final path, or null when nothing is
   * @throws IOException when the file system fails
   */
  public abstract Existing existing(String relative) throws IOException;

  /**
   * @param relative an existing file
   * @return its MD5
   * @throws IOException when it cannot be read
   */
  public byte[] md5(String relative) throws IOException {
    try (InputStream in = open(relative)) {
      return Md5.of(in);
    }
  }

  abstract InputStream open(String relative) throws IOException;

  /**
   * Makes the renames of the files committed so far survive a crash: on a local folder, forces the
   * entries of each folder they were moved into, once per folder rather than once per file. A task calls
   * it after its last file, before it reports success. Nothing on Hadoop file systems, whose renames are
   * their own.
   *
   * @throws IOException when a folder cannot be forced
   */
  public void syncFolders() throws IOException {
  }

  /**
   * @param relative the file's path
   * @return a temporary file in its final folder, to be committed or closed (deleted)
   * @throws IOException when it cannot be created
   */
  public abstract Staged stage(String relative) throws IOException;

  /**
   * What is at a final path.
   *
   * @param directory whether it is a folder
   * @param length a file's length
   */
  public record Existing(boolean directory, long length) {
  }

  /** A file being written under its temporary name. */
  public abstract static class Staged implements AutoCloseable {
    private final OutputStream out;
    private boolean closed;
    private boolean committed;

    Staged(OutputStream out) {
      this.out = out;
    }

    /** @return where the bytes go, in order */
    public OutputStream out() {
      return out;
    }

    /** @return the file for writes at any position, or null when it can only be written in order */
    public FileChannel positional() {
      return null;
    }

    /**
     * Forces the temporary file to disk, closes it and moves it to its final path.
     *
     * @param replace whether an existing file at the final path is replaced
     * @return false when {@code replace} is false and a file appeared at the final path meanwhile: that
     *     file is kept
     * @throws IOException when the file cannot be closed or moved
     */
    public boolean commit(boolean replace) throws IOException {
      // Content on disk before the rename can be: after a crash, the final path holds the whole file or
      // what was there before, never an empty or partial one.
      forceContent();
      closeOut();
      committed = moveIntoPlace(replace);
      return committed;
    }

    /**
     * Starts forcing what the temporary file holds so far, without waiting, so that the commit's force has
     * less left to write: called as a large file's ranges land. Nothing where nothing is forced.
     */
    public void forceAhead() {
    }

    /** Forces the temporary file's content to disk; nothing where the file system offers no such call. */
    void forceContent() throws IOException {
    }

    /** @return false when not replacing and the final path is taken */
    abstract boolean moveIntoPlace(boolean replace) throws IOException;

    abstract void deleteTemp() throws IOException;

    private void closeOut() throws IOException {
      if (!closed) {
        closed = true;
        out.close();
      }
    }

    /** Deletes the temporary file unless it was committed. */
    @Override
    public void close() {
      if (committed) {
        return;
      }
      try {
        closeOut();
      } catch (IOException ignored) {
        // The file is deleted below whatever its state.
      }
      try {
        deleteTemp();
      } catch (IOException ignored) {
        // Best effort: a leftover has a hidden temporary name, never the final one.
      }
    }
  }
}
