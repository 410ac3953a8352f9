package io.github.amlspark.spark.read;

import io.github.amlspark.progress.TaskProgress;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.config.TransferSettings;
import io.github.amlspark.storage.AzureRangeSource;
import io.github.amlspark.transfer.OutputFolder;
import io.github.amlspark.transfer.PartitionDownload;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import io.github.amlspark.spark.TransferMetrics;
import io.github.amlspark.transfer.TransferListener;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/** Downloads one task's files and returns one transfer-schema row per file. */
final class DownloadPartitionReader implements PartitionReader<InternalRow> {
  private final String[] fields;
  private final TaskProgress.Listener listener;
  private final TransferMetrics metrics = new TransferMetrics();
  private final PartitionDownload download;
  private FileTransfer current;

  DownloadPartitionReader(BlobInputPartition partition, StructType readSchema, TransferSettings settings,
      Configuration conf, TaskProgress.Listener listener) throws IOException {
    this.fields = readSchema.fieldNames();
    this.listener = listener;
    this.download = new PartitionDownload(partition.files(), partition.refused(),
        new AzureRangeSource(partition.access(), settings.retry().idleTimeout(), settings.concurrency()),
        OutputFolder.open(settings.outputFolder(), conf), settings, TransferListener.both(listener, metrics));
  }

  @Override
  public boolean next() throws IOException {
    listener.flush();
    // The task's rows reach the driver only after the last: every file they report is durably in place.
    current = download.next();
    return current != null;
  }

  @Override
  public InternalRow get() {
    return Rows.project(fields, this::value);
  }

  private Object value(String field) {
    switch (field) {
      case "path":
        return UTF8String.fromString(current.path());
      case "file":
        return UTF8String.fromString(current.file());
      case "length":
        return current.length();
      case "contentMd5":
        return UTF8String.fromString(current.contentMd5());
      case "status":
        return UTF8String.fromString(current.status().name());
      case "checksumVerified":
        return current.checksumVerified();
      case "error":
        return UTF8String.fromString(current.error());
      default:
        throw new IllegalStateException("Unknown column " + field);
    }
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    return metrics.values();
  }

  @Override
  public void close() {
    listener.flush();
    download.close();
  }
}
