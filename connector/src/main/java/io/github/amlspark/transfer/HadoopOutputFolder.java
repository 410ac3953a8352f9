package io.github.amlspark.transfer;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.hdfs.DistributedFileSystem;

/**
 * An output folder on a Hadoop file system (HDFS, ABFS, WASB, DBFS, ...).
 *
 * <p>Hadoop's {@code rename} is not POSIX's: onto an existing directory it moves the file into it and
 * returns true, and onto an existing file most file systems refuse. So what is at a final path is checked
 * before the rename and what landed there after it, and a file is replaced atomically on HDFS and
 * elsewhere by moving the old file aside first, so that it is never lost.
 */
final class HadoopOutputFolder extends OutputFolder {
  private final FileSystem fs;
  private final URI root;

  HadoopOutputFolder(URI folder, Configuration conf) throws IOException {
    Path path = new Path(folder);
    this.fs = path.getFileSystem(conf);
    this.root = fs.makeQualified(path).toUri();
  }

  private Path resolve(String relative) {
    String base = root.getPath().endsWith("/") ? root.getPath() : root.getPath() + "/";
    // Built from parts so that a ':' in a file name is not taken for a URI scheme.
    return new Path(root.getScheme(), root.getAuthority(), base + relative);
  }

  private Path sibling(Path target, String name) {
    return new Path(root.getScheme(), root.getAuthority(), target.getParent().toUri().getPath() + "/" + name);
  }

  @Override
  public String location(String relative) {
    return resolve(relative).toString();
  }

  @Override
  public Existing existing(String relative) throws IOException {
    FileStatus status = status(resolve(relative));
    return status == null ? null : new Existing(status.isDirectory(), status.getLen());
  }

  private FileStatus status(Path path) throws IOException {
    try {
      return fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  @Override
  InputStream open(String relative) throws IOException {
    return fs.open(resolve(relative), BUFFER);
  }

  @Override
  public Staged stage(String relative) throws IOException {
    Path target = resolve(relative);
    Path temp = sibling(target, tempName(target.getName()));
    FSDataOutputStream out = fs.create(temp, true, BUFFER);
    return new Staged(out) {
      private long written;

      @Override
      public boolean commit(boolean replace) throws IOException {
        forceToStorage(out);
        written = out.getPos();
        return super.commit(replace);
      }

      @Override
      boolean moveIntoPlace(boolean replace) throws IOException {
        return HadoopOutputFolder.this.moveIntoPlace(temp, target, written, replace);
      }

      @Override
      void deleteTemp() throws IOException {
        fs.delete(temp, false);
      }
    };
  }

  /**
   * HDFS's hsync puts the bytes on the datanodes' disks. Hadoop deprecated the separate hflush probe: a
   * stream without hsync has no flush worth calling. Object stores (WASB, ABFS, S3) commit a blob only
   * when its stream closes, which the commit does next.
   */
  private static void forceToStorage(FSDataOutputStream out) throws IOException {
    if (out.hasCapability(StreamCapabilities.HSYNC)) {
      out.hsync();
    }
  }

  private boolean moveIntoPlace(Path temp, Path target, long length, boolean replace) throws IOException {
    FileStatus existing = status(target);
    if (existing == null) {
      if (fs.rename(temp, target)) {
        requireLanded(temp, target, length);
        return true;
      }
      // Refused: something appeared at the final path since the check.
      existing = status(target);
      if (existing == null) {
        throw new IOException("the file system refused to rename " + temp.getName() + " to " + target);
      }
    }
    if (existing.isDirectory()) {
      throw new IOException(folderInTheWay(target.toString()));
    }
    if (!replace) {
      return false;
    }
    replaceFile(temp, target);
    requireLanded(temp, target, length);
    return true;
  }

  private void replaceFile(Path temp, Path target) throws IOException {
    if (fs instanceof DistributedFileSystem hdfs) {
      // One atomic step on the NameNode: readers see the old file or the new one.
      hdfs.rename(temp, target, Options.Rename.OVERWRITE);
      return;
    }
    // Elsewhere rename never overwrites, and FileSystem's own overwriting rename deletes first, which
    // loses the old file when the rename then fails. Move the old one aside, the new one in, then delete
    // the old one: a reader may briefly see no file, never a partial one.
    Path aside = sibling(target, tempName(target.getName()));
    if (!fs.rename(target, aside)) {
      throw new IOException("the file system refused to move the old " + target + " aside to replace it");
    }
    IOException failure = null;
    try {
      if (!fs.rename(temp, target)) {
        failure = new IOException("the file system refused to rename " + temp.getName() + " to " + target);
      }
    } catch (IOException e) {
      failure = e;
    }
    if (failure != null) {
      if (!fs.rename(aside, target)) {
        failure.addSuppressed(new IOException("the old file could not be put back; it is at " + aside));
      }
      throw failure;
    }
    try {
      fs.delete(aside, false);
    } catch (IOException ignored) {
      // A hidden temporary name, removed by the next download's cleanup (removeLeftovers).
    }
  }

  /** Checks that the rename put a whole file at the final path, not into a folder that appeared there. */
  private void requireLanded(Path temp, Path target, long length) throws IOException {
    FileStatus landed = status(target);
    if (landed != null && landed.isDirectory()) {
      // The file went into the folder: take it back out, leaving the folder's own contents as they were.
      fs.delete(new Path(target, temp.getName()), false);
      throw new IOException(folderInTheWay(target.toString()));
    }
    if (landed == null || landed.getLen() != length) {
      throw new IOException("after the rename " + target + " holds "
          + (landed == null ? "nothing" : landed.getLen() + " bytes") + " instead of the " + length + " written");
    }
  }

  @Override
  public int removeLeftovers(Collection<String> relativeFiles) throws IOException {
    Set<Path> folders = new LinkedHashSet<>();
    for (String relative : relativeFiles) {
      folders.add(resolve(relative).getParent());
    }
    int removed = 0;
    for (Path folder : folders) {
      FileStatus[] children;
      try {
        children = fs.listStatus(folder);
      } catch (FileNotFoundException e) {
        continue;
      }
      for (FileStatus child : children) {
        if (child.isFile() && isTemp(child.getPath().getName()) && fs.delete(child.getPath(), false)) {
          removed++;
        }
      }
    }
    return removed;
  }
}
