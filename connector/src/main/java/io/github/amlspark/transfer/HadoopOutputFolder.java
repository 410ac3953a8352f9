package io.github.amlspark.transfer;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** An output folder on a Hadoop file system (HDFS, ABFS, WASB, DBFS, ...). */
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
    try {
      FileStatus status = fs.getFileStatus(resolve(relative));
      return new Existing(status.isDirectory(), status.getLen());
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
    return new Staged(fs.create(temp, true, BUFFER)) {
      @Override
      boolean moveIntoPlace(boolean replace) throws IOException {
        if (!replace && fs.exists(target)) {
          return false;
        }
        if (fs.rename(temp, target)) {
          return true;
        }
        // Some file systems (HDFS) refuse to rename onto an existing file.
        if (replace && fs.delete(target, false) && fs.rename(temp, target)) {
          return true;
        }
        throw new IOException("could not move the downloaded file to " + target);
      }

      @Override
      void deleteTemp() throws IOException {
        fs.delete(temp, false);
      }
    };
  }
}
