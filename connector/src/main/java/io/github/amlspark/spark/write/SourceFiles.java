package io.github.amlspark.spark.write;

import io.github.amlspark.spark.HadoopConf;
import io.github.amlspark.transfer.OutputFolder;
import io.github.amlspark.transfer.UploadSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * The files an upload reads, opened on the executor: a local path through java.nio, any other URI
 * (hdfs://, abfss://, dbfs:/, …) through Hadoop's FileSystem with the session's Hadoop configuration.
 */
final class SourceFiles implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Broadcast<HadoopConf> hadoopConf;

  /** @param hadoopConf the driver session's Hadoop configuration, broadcast */
  SourceFiles(Broadcast<HadoopConf> hadoopConf) {
    this.hadoopConf = hadoopConf;
  }

  /**
   * @param spark the session whose Hadoop configuration (its {@code spark.hadoop.*} entries included)
   *     reaches the files
   * @return sources for that session's executors
   */
  static SourceFiles of(SparkSession spark) {
    return new SourceFiles(JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(new HadoopConf(spark.sessionState().newHadoopConf())));
  }

  /**
   * @param file a local path or a URI
   * @return its length now
   * @throws IOException when it does not exist or cannot be reached
   */
  long length(String file) throws IOException {
    URI uri = OutputFolder.toUri(file);
    if ("file".equals(uri.getScheme())) {
      return Files.size(Path.of(uri));
    }
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    return path.getFileSystem(hadoopConf.value().get()).getFileStatus(path).getLen();
  }

  /**
   * @param file a local path or a URI
   * @return a source that opens it afresh on each call, and tells its size and modification time
   */
  UploadSource source(String file) {
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
        return path.getFileSystem(hadoopConf.value().get()).open(path);
      }

      @Override
      public Snapshot snapshot() throws IOException {
        org.apache.hadoop.fs.FileStatus s = path.getFileSystem(hadoopConf.value().get()).getFileStatus(path);
        return new Snapshot(s.getLen(), Instant.ofEpochMilli(s.getModificationTime()));
      }
    };
  }
}
