package io.github.amlspark.spark.write;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.storage.AzureBlobWriter;
import io.github.amlspark.transfer.BlobNames;
import io.github.amlspark.transfer.FileUploads;
import io.github.amlspark.transfer.UploadItem;
import io.github.amlspark.transfer.UploadSource;
import io.github.amlspark.spark.TransferMetrics;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.execution.metric.CustomMetrics;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.util.AccumulatorV2;
import scala.collection.JavaConverters;

/**
 * Uploads one task's rows, several files in flight. Nothing a task writes is a blob until its own file's
 * commit (Put Blob, or Put Block List after staged blocks); the task's commit message carries every file's
 * outcome to the driver.
 */
final class UploadDataWriter implements DataWriter<InternalRow> {
  private final UploadWriterFactory spec;
  private final int partitionId;
  private final long taskId;
  private final TransferMetrics metrics = new TransferMetrics();
  private final FileUploads uploads;

  UploadDataWriter(UploadWriterFactory spec, int partitionId, long taskId) {
    this.spec = spec;
    this.partitionId = partitionId;
    this.taskId = taskId;
    this.uploads = new FileUploads(new AzureBlobWriter(spec.access(), spec.retry().idleTimeout()), spec.overwrite(),
        spec.validateChecksum(), spec.concurrency(), spec.retry(), metrics);
  }

  @Override
  public void write(InternalRow row) throws IOException {
    if (row.isNullAt(spec.pathIndex())) {
      throw new IllegalArgumentException("A row's 'path' is null: every row names the file it writes.");
    }
    String path = row.getUTF8String(spec.pathIndex()).toString();
    String blobName = spec.remotePrefix() + path;
    // The check folder uploads make: a row is written under exactly its name, or FAILED, never renamed.
    String problem = BlobNames.problem(blobName);
    if (problem != null) {
      String file = spec.contentIndex() >= 0 ? path : row.getUTF8String(spec.sourceFileIndex()).toString();
      uploads.fail(new FileTransfer(blobName, file, 0, null, TransferStatus.FAILED, false,
          "Row with path \"" + path + "\" was not uploaded: " + problem + ". Give a path without it."));
      return;
    }
    UploadItem item;
    UploadSource source;
    if (spec.contentIndex() >= 0) {
      byte[] content = row.isNullAt(spec.contentIndex()) ? new byte[0] : row.getBinary(spec.contentIndex());
      item = new UploadItem(path, blobName, content.length);
      source = UploadSource.of(content);
    } else {
      String file = row.getUTF8String(spec.sourceFileIndex()).toString();
      long length;
      try {
        length = spec.sourceFiles().length(file);
      } catch (IOException e) {
        // One missing or unreachable file fails alone; the task's other files still upload.
        uploads.fail(new FileTransfer(blobName, file, 0, null, TransferStatus.FAILED, false, "File " + file
            + " was not uploaded: it cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage()
            + ")."));
        return;
      }
      item = new UploadItem(file, blobName, length);
      source = spec.sourceFiles().source(file);
    }
    uploads.submit(item, source);
  }

  @Override
  public WriterCommitMessage commit() throws IOException {
    UploadCommitMessage message = new UploadCommitMessage(partitionId, taskId, uploads.results());
    setFinalMetrics(metrics.values());
    return message;
  }

  /**
   * The counts so far, never waiting: Spark reads them every 100 rows, and waiting there for the uploads in
   * flight would drain the task's pipeline each time. Its last read comes before {@link #commit()}, with
   * uploads still in flight, so the commit sets the final counts itself.
   */
  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    return metrics.values();
  }

  /**
   * Sets this task's accumulators of the write's metrics (Spark ships them with the task's result) to their
   * final values. Spark 3.5 reads a writer's metrics only before its commit and offers no later hook, so
   * this reaches the task's accumulators directly; they are the write's by their type
   * ({@link TransferMetrics.WriteSum}) and description. Without a task (a test), nothing is set.
   */
  private static void setFinalMetrics(CustomTaskMetric[] values) {
    TaskContext task = TaskContext.get();
    if (task == null) {
      return;
    }
    Map<String, String> names = new HashMap<>();
    String type = null;
    for (CustomMetric m : TransferMetrics.supportedByWrites()) {
      names.put(m.description(), m.name());
      type = CustomMetrics.buildV2CustomMetricTypeName(m);
    }
    Map<String, Long> byName = new HashMap<>();
    for (CustomTaskMetric v : values) {
      byName.put(v.name(), v.value());
    }
    for (AccumulatorV2<?, ?> accumulator : JavaConverters.seqAsJavaList(task.taskMetrics().accumulators())) {
      if (accumulator instanceof SQLMetric metric && metric.metricType().equals(type) && metric.name().isDefined()) {
        Long value = byName.get(names.get(metric.name().get()));
        if (value != null) {
          metric.set(value);
        }
      }
    }
  }

  @Override
  public void abort() {
    uploads.cancel();
  }

  @Override
  public void close() {
    abort();
  }
}
