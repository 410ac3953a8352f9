package io.github.amlspark;

import io.github.amlspark.spark.Schemas;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/** The outcome of one transfer: every file's {@link FileTransfer} and the totals. Immutable. */
public final class TransferReport {
  private final List<FileTransfer> files;
  private final Duration elapsed;
  private final long transferred;
  private final long skipped;
  private final long failed;
  private final long bytes;

  /**
   * @param files every file's outcome
   * @param elapsed wall-clock time of the whole transfer
   */
  public TransferReport(List<FileTransfer> files, Duration elapsed) {
    this.files = List.copyOf(files);
    this.elapsed = elapsed;
    long t = 0;
    long s = 0;
    long f = 0;
    long b = 0;
    for (FileTransfer file : this.files) {
      switch (file.status()) {
        case TRANSFERRED:
          t++;
          b += file.length();
          break;
        case SKIPPED:
          s++;
          break;
        default:
          f++;
      }
    }
    this.transferred = t;
    this.skipped = s;
    this.failed = f;
    this.bytes = b;
  }

  /** @return files copied */
  public long transferred() {
    return transferred;
  }

  /** @return files left alone because their destination existed */
  public long skipped() {
    return skipped;
  }

  /** @return files that failed */
  public long failed() {
    return failed;
  }

  /** @return bytes copied (TRANSFERRED files only) */
  public long bytes() {
    return bytes;
  }

  /** @return wall-clock time of the whole transfer */
  public Duration elapsed() {
    return elapsed;
  }

  /** @return every file's outcome */
  public List<FileTransfer> files() {
    return files;
  }

  /** @return the files that FAILED */
  public List<FileTransfer> failures() {
    return files.stream().filter(f -> f.status() == TransferStatus.FAILED).toList();
  }

  /** @return the report in the transfer schema, on the active Spark session */
  public Dataset<Row> toDataFrame() {
    List<Row> rows = new ArrayList<>(files.size());
    for (FileTransfer f : files) {
      rows.add(RowFactory.create(f.path(), f.file(), f.length(), f.contentMd5(), f.status().name(),
          f.checksumVerified(), f.error()));
    }
    return SparkSession.active().createDataFrame(rows, Schemas.TRANSFER);
  }

  /** @return one line: counts, bytes, time and throughput */
  public String summary() {
    double seconds = Math.max(elapsed.toNanos() / 1e9, 1e-9);
    return String.format(java.util.Locale.ROOT,
        "%d transferred, %d skipped, %d failed, %,d bytes in %.2f s (%.1f files/s, %.1f MB/s)",
        transferred, skipped, failed, bytes, seconds, transferred / seconds, bytes / seconds / 1e6);
  }

  @Override
  public String toString() {
    return "TransferReport(" + summary() + ")";
  }
}
