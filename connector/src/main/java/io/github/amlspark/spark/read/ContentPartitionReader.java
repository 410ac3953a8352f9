package io.github.amlspark.spark.read;

import io.github.amlspark.progress.TaskProgress;
import io.github.amlspark.config.TransferSettings;
import io.github.amlspark.storage.AzureRangeSource;
import io.github.amlspark.transfer.BlobEntry;
import io.github.amlspark.transfer.ContentReader;
import io.github.amlspark.transfer.TransferPipeline;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import io.github.amlspark.spark.TransferMetrics;
import io.github.amlspark.transfer.RangeSource;
import io.github.amlspark.transfer.TransferListener;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Returns one read-schema row per file. Blob bytes are fetched only when the query selects
 * {@code content}; otherwise the rows come from the driver's listing alone.
 */
final class ContentPartitionReader implements PartitionReader<InternalRow> {
  private final String[] fields;
  private final TaskProgress.Listener listener;
  private final TransferMetrics metrics = new TransferMetrics();
  private final Iterator<BlobEntry> files;
  private final TransferPipeline<byte[]> contents;
  private BlobEntry current;
  private byte[] currentContent;

  ContentPartitionReader(BlobInputPartition partition, StructType readSchema, TransferSettings settings,
      TaskProgress.Listener listener) {
    this.fields = readSchema.fieldNames();
    this.listener = listener;
    List<BlobEntry> blobs = partition.files();
    this.files = blobs.iterator();
    RangeSource source = new AzureRangeSource(partition.access(), settings.retry().idleTimeout(),
        settings.concurrency());
    this.contents = Arrays.asList(fields).contains("content")
        ? new ContentReader(source, settings, TransferListener.both(listener, metrics)).read(blobs)
        : null;
  }

  @Override
  public boolean next() {
    listener.flush();
    if (!files.hasNext()) {
      return false;
    }
    current = files.next();
    currentContent = contents == null ? null : contents.next();
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
      case "length":
        return current.length();
      case "modificationTime":
        return current.lastModifiedMillis() * 1000L;
      case "contentMd5":
        return UTF8String.fromString(current.contentMd5());
      case "content":
        return currentContent;
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
    if (contents != null) {
      contents.close();
    }
  }
}
