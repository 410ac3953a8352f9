package io.github.amlspark.transfer;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A download's destination folder on any Hadoop file system. Files are written under a temporary name in
 * their final folder and renamed into place only once complete and verified, so a final path never holds
 * a partial file.
 */
public final class OutputFolder {
  private static final int WRITE_BUFFER = 256 * 1024;
  private static final String TEMP_SUFFIX = ".amlspark.tmp";

  private final FileSystem fs;
  private final URI root;

  private OutputFolder(FileSystem fs, URI root) {
    this.fs = fs;
    this.root = root;
  }

  /**
   * @param folder an absolute local path or a Hadoop URI
   * @param conf Hadoop configuration
   * @return the folder
   * @throws IOException when its file system cannot be reached
   */
  public static OutputFolder open(String folder, Configuration conf) throws IOException {
    Path path = new Path(toUri(folder));
    FileSystem fs = path.getFileSystem(conf);
    // The local file system's checksum layer would leave a .crc file beside every download.
    if (fs instanceof LocalFileSystem local) {
      fs = local.getRawFileSystem();
    }
    return new OutputFolder(fs, fs.makeQualified(path).toUri());
  }

  /**
   * @param folder a plain local path or a Hadoop URI
   * @return its URI; a plain path is local, made absolute against this JVM's working directory
   */
  public static URI toUri(String folder) {
    URI uri = URI.create(folder.replace(" ", "%20"));
    if (uri.getScheme() == null || uri.getScheme().length() == 1) {
      return java.nio.file.Path.of(folder).toAbsolutePath().normalize().toUri();
    }
    return uri;
  }

  /**
   * @param relative a path checked by {@link OutputPaths}
   * @return where that file lands
   */
  public Path resolve(String relative) {
    String base = root.getPath().endsWith("/") ? root.getPath() : root.getPath() + "/";
    return new Path(root.getScheme(), root.getAuthority(), base + relative);
  }

  /**
   * @param target a final path
   * @return its status, or null when nothing is there
   * @throws IOException when the file system fails
   */
  public FileStatus status(Path target) throws IOException {
    try {
      return fs.getFileStatus(target);
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  /**
   * @param target an existing file
   * @return its MD5
   * @throws IOException when it cannot be read
   */
  public byte[] md5(Path target) throws IOException {
    MessageDigest md = Md5.newDigest();
    byte[] buf = new byte[WRITE_BUFFER];
    try (InputStream in = fs.open(target, WRITE_BUFFER)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return md.digest();
  }

  /**
   * @param target the final path
   * @return a temporary file in the same folder, to be committed or aborted
   * @throws IOException when it cannot be created
   */
  public Staged stage(Path target) throws IOException {
    String name = target.getName();
    String tempName = "." + (name.length() > 100 ? name.substring(0, 100) : name) + "."
        + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX;
    Path temp = new Path(target.getParent(), tempName);
    return new Staged(target, temp, fs.create(temp, true, WRITE_BUFFER));
  }

  /** A file being written under its temporary name. */
  public final class Staged implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final OutputStream out;
    private boolean closed;
    private boolean committed;

    private Staged(Path target, Path temp, OutputStream out) {
      this.target = target;
      this.temp = temp;
      this.out = out;
    }

    /** @return where the bytes go */
    public OutputStream out() {
      return out;
    }

    /**
     * Closes the temporary file and moves it to its final path.
     *
     * @param replace whether an existing file at the final path is replaced
     * @return false when {@code replace} is false and a file appeared at the final path meanwhile: it is
     *     kept, and the temporary file is deleted
     * @throws IOException when the file cannot be closed or moved
     */
    public boolean commit(boolean replace) throws IOException {
      closeOut();
      if (!replace && fs.exists(target)) {
        return false;
      }
      if (!fs.rename(temp, target)) {
        // Some file systems (HDFS) refuse to rename onto an existing file.
        if (!replace || !fs.delete(target, false) || !fs.rename(temp, target)) {
          throw new IOException("could not move the downloaded file to " + target);
        }
      }
      committed = true;
      return true;
    }

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
        fs.delete(temp, false);
      } catch (IOException ignored) {
        // Best effort: a leftover has a hidden temporary name, never the final one.
      }
    }
  }
}
