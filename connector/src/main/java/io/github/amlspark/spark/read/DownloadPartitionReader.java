package io.github.amlspark.spark.read;

import io.github.amlspark.progress.TaskProgress;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.transfer.BlobEntry;
import io.github.amlspark.config.TransferSettings;
import io.github.amlspark.storage.AzureRangeSource;
import io.github.amlspark.transfer.DownloadEngine;
import io.github.amlspark.transfer.OutputFolder;
import io.github.amlspark.transfer.TransferPipeline;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import io.github.amlspark.spark.TransferMetrics;
import io.github.amlspark.transfer.RangeSource;
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
  private final DownloadEngine engine;
  private final TransferPipeline<FileTransfer> results;
  private final List<FileTransfer> refused = new ArrayList<>();
  private FileTransfer current;

  DownloadPartitionReader(BlobInputPartition partition, StructType readSchema, TransferSettings settings,
      Configuration conf, TaskProgress.Listener listener) throws IOException {
    this.fields = readSchema.fieldNames();
    this.listener = listener;
    OutputFolder output = OutputFolder.open(settings.outputFolder(), conf);
    TransferListener both = TransferListener.both(listener, metrics);
    for (BlobEntry f : partition.files()) {
      String error = partition.refused().get(f.path());
      if (error != null) {
        FileTransfer result = new FileTransfer(f.path(), output.location(f.path()), f.length(), f.contentMd5(),
            TransferStatus.FAILED, false, error);
        both.fileDone(result);
        refused.add(result);
      }
    }
    RangeSource source = new AzureRangeSource(partition.access(), settings.retry().idleTimeout());
    this.engine = new DownloadEngine(source, output, settings, both);
    this.results = engine
        .download(partition.files().stream().filter(f -> !partition.refused().containsKey(f.path())).toList());
  }

  @Override
  public boolean next() throws IOException {
    listener.flush();
    if (!refused.isEmpty()) {
      current = refused.remove(0);
      return true;
    }
    if (!results.hasNext()) {
      // The task's rows reach the driver only after this: every file they report is durably in place.
      engine.finish();
      return false;
    }
    current = results.next();
    return true;
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
    results.close();
  }
}
