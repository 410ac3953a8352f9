package io.github.amlspark.spark.write;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.storage.AzureBlobWriter;
import io.github.amlspark.transfer.BlobNames;
import io.github.amlspark.transfer.FileUploads;
import io.github.amlspark.transfer.UploadItem;
import io.github.amlspark.transfer.UploadSource;
import java.io.IOException;
import io.github.amlspark.spark.TransferMetrics;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

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
    return new UploadCommitMessage(partitionId, taskId, uploads.results());
  }

  /**
   * Spark reads a writer's metrics every 100 rows and once more just before {@link #commit()}, not after
   * it: so the uploads in flight are let finish first, or the UI would miss the task's last files.
   */
  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    uploads.awaitAll();
    return metrics.values();
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
