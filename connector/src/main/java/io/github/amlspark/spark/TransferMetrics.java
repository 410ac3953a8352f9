package io.github.amlspark.spark;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.transfer.DownloadEngine;
import io.github.amlspark.transfer.TransferListener;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomSumMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/**
 * A task's transfer counts as DSv2 custom metrics, which Spark sums over tasks and shows in the SQL tab of
 * its UI (and keeps in the executed plan): files transferred, skipped and failed, bytes, checksum
 * failures and retries. Counted from any transfer thread; read by Spark from the task thread.
 */
public final class TransferMetrics implements TransferListener {
  static final String TRANSFERRED = "filesTransferred";
  static final String SKIPPED = "filesSkipped";
  static final String FAILED = "filesFailed";
  static final String BYTES = "bytesTransferred";
  static final String CHECKSUM_FAILURES = "checksumFailures";
  static final String RETRIES = "retries";

  private final AtomicLong transferred = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong checksumFailures = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();

  /** @return the metrics a scan reports, for {@code supportedCustomMetrics()} */
  public static CustomMetric[] supported() {
    return new CustomMetric[] {new FilesTransferred(), new FilesSkipped(), new FilesFailed(),
        new BytesTransferred(), new ChecksumFailures(), new Retries()};
  }

  /**
   * @return the metrics a write reports: the same names and descriptions, all of class {@link WriteSum}, so
   *     that a task holding both a scan's and a write's accumulators can tell the write's apart
   */
  public static CustomMetric[] supportedByWrites() {
    return Arrays.stream(supported()).map(m -> new WriteSum(m.name(), m.description())).toArray(CustomMetric[]::new);
  }

  /** @return this task's counts so far, for {@code currentMetricsValues()} */
  public CustomTaskMetric[] values() {
    return new CustomTaskMetric[] {value(TRANSFERRED, transferred), value(SKIPPED, skipped),
        value(FAILED, failed), value(BYTES, bytes), value(CHECKSUM_FAILURES, checksumFailures),
        value(RETRIES, retries)};
  }

  private static CustomTaskMetric value(String name, AtomicLong counter) {
    long v = counter.get();
    return new CustomTaskMetric() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public long value() {
        return v;
      }
    };
  }

  @Override
  public void bytesTransferred(long count) {
    bytes.addAndGet(count);
  }

  @Override
  public void retried() {
    retries.incrementAndGet();
  }

  @Override
  public void fileDone(FileTransfer result) {
    switch (result.status()) {
      case TRANSFERRED -> transferred.incrementAndGet();
      case SKIPPED -> skipped.incrementAndGet();
      case FAILED -> {
        failed.incrementAndGet();
        if (DownloadEngine.failedChecksum(result)) {
          checksumFailures.incrementAndGet();
        }
      }
      default -> throw new IllegalStateException("Unknown status " + result.status());
    }
  }

  /** A summed metric; Spark instantiates each subclass by name on the driver, so each is public. */
  abstract static class Sum extends CustomSumMetric {
    private final String name;
    private final String description;

    Sum(String name, String description) {
      this.name = name;
      this.description = description;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String description() {
      return description;
    }
  }

  /** Files transferred. */
  public static final class FilesTransferred extends Sum {
    /** For Spark. */
    public FilesTransferred() {
      super(TRANSFERRED, "files transferred");
    }
  }

  /** Files skipped. */
  public static final class FilesSkipped extends Sum {
    /** For Spark. */
    public FilesSkipped() {
      super(SKIPPED, "files skipped");
    }
  }

  /** Files failed. */
  public static final class FilesFailed extends Sum {
    /** For Spark. */
    public FilesFailed() {
      super(FAILED, "files failed");
    }
  }

  /** Bytes transferred. */
  public static final class BytesTransferred extends Sum {
    /** For Spark. */
    public BytesTransferred() {
      super(BYTES, "bytes transferred");
    }
  }

  /** Files that failed their checksum. */
  public static final class ChecksumFailures extends Sum {
    /** For Spark. */
    public ChecksumFailures() {
      super(CHECKSUM_FAILURES, "checksum failures");
    }
  }

  /** Ranges or files fetched again after a checksum mismatch. */
  public static final class Retries extends Sum {
    /** For Spark. */
    public Retries() {
      super(RETRIES, "retries");
    }
  }

  /**
   * A write's summed metric, one class for all of them: its type (the class) tells a write's accumulators
   * from a scan's (a task may copy azureml content to azureml), its description tells them apart.
   */
  public static final class WriteSum extends Sum {
    /** For Spark, which instantiates it by name on the driver only to sum task values. */
    public WriteSum() {
      super("", "");
    }

    WriteSum(String name, String description) {
      super(name, description);
    }
  }
}
