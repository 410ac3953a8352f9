package io.github.amlspark.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;

/**
 * The files an upload reads, opened where its task runs: a local path through java.nio, any other URI
 * (hdfs://, abfss://, dbfs:/, …) through Hadoop's FileSystem with the session's Hadoop configuration.
 * Spark-free.
 */
public final class SourceFiles implements Serializable {
  private static final long serialVersionUID = 1L;

  private final HadoopConfSource hadoopConf;

  /** @param hadoopConf the session's Hadoop configuration, as tasks reach it */
  public SourceFiles(HadoopConfSource hadoopConf) {
    this.hadoopConf = hadoopConf;
  }

  /**
   * @param file a local path or a URI
   * @return its length now
   * @throws IOException when it does not exist or cannot be reached
   */
  public long length(String file) throws IOException {
    URI uri = OutputFolder.toUri(file);
    if ("file".equals(uri.getScheme())) {
      return Files.size(Path.of(uri));
    }
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    return path.getFileSystem(hadoopConf.get()).getFileStatus(path).getLen();
  }

  /**
   * @param file a local path or a URI
   * @return a source that opens it afresh on each call, and tells its size and modification time
   */
  public UploadSource source(String file) {
    URI uri = OutputFolder.toUri(file);
    if ("file".equals(uri.getScheme())) {
      Path local = Path.of(uri);
      return new UploadSource() {
        @Override
        public InputStream open() throws IOException {
          return Files.newInputStream(local);
        }

        @Override
        public Snapshot snapshot() throws IOException {
          BasicFileAttributes a = Files.readAttributes(local, BasicFileAttributes.class);
          return new Snapshot(a.size(), a.lastModifiedTime().toInstant());
        }
      };
    }
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    return new UploadSource() {
      @Override
      public InputStream open() throws IOException {
        return path.getFileSystem(hadoopConf.get()).open(path);
      }

      @Override
      public Snapshot snapshot() throws IOException {
        org.apache.hadoop.fs.FileStatus s = path.getFileSystem(hadoopConf.get()).getFileStatus(path);
        return new Snapshot(s.getLen(), Instant.ofEpochMilli(s.getModificationTime()));
      }
    };
  }
}
