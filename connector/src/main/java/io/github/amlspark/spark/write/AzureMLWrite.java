package io.github.amlspark.spark.write;

import io.github.amlspark.spark.HadoopConf;
import io.github.amlspark.transfer.SourceFiles;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferException;
import io.github.amlspark.TransferReport;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.config.WriteRequest;
import io.github.amlspark.storage.SasIssuer;
import io.github.amlspark.workspace.DatastoreResolver;
import io.github.amlspark.workspace.ResolvedWorkspace;
import io.github.amlspark.workspace.WorkspaceLocator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import io.github.amlspark.spark.TransferMetrics;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append of files to a datastore. The driver resolves the datastore and issues the executors' SAS;
 * each task uploads its rows; the driver's commit aggregates the tasks' messages into a
 * {@link TransferReport} (one message per partition: a retried or speculative task is not counted twice)
 * and fails the write when a file failed.
 */
final class AzureMLWrite implements Write, BatchWrite {
  private static final Logger LOGGER = LoggerFactory.getLogger(AzureMLWrite.class);

  private final WriteRequest request;
  private final StructType schema;
  private final long start = System.nanoTime();

  AzureMLWrite(WriteRequest request, StructType schema) {
    this.request = request;
    this.schema = schema;
  }

  @Override
  public String description() {
    return "azureml[datastore=" + request.datastore() + ", path=" + request.remotePath() + ", overwrite="
        + request.overwrite().optionValue() + "]";
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return TransferMetrics.supportedByWrites();
  }

  @Override
  public BatchWrite toBatch() {
    return this;
  }

  @Override
  public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
    ResolvedWorkspace workspace = WorkspaceLocator.ofProcess().locate(request.workspace());
    ContainerAccess access = SasIssuer.issue(DatastoreResolver.resolve(workspace, request.datastore()),
        SasIssuer.upload(request.overwrite()), request.sasTtl());
    String prefix = request.remotePath().replace('\\', '/').replaceAll("^/+|/+$", "");
    return new UploadWriterFactory(access, prefix.isEmpty() ? "" : prefix + "/", request.overwrite(),
        request.validateChecksum(), request.concurrency(), request.retry(), schema.fieldIndex("path"), indexOf("content"),
        indexOf("sourceFile"), new SourceFiles(HadoopConf.broadcast(SparkSession.active())));
  }

  private int indexOf(String column) {
    return java.util.Arrays.asList(schema.fieldNames()).indexOf(column);
  }

  @Override
  public void commit(WriterCommitMessage[] messages) {
    List<FileTransfer> files = new ArrayList<>();
    for (WriterCommitMessage m : messages) {
      if (m instanceof UploadCommitMessage upload) {
        files.addAll(upload.files());
      }
    }
    TransferReport report = new TransferReport(files, Duration.ofNanos(System.nanoTime() - start));
    LOGGER.info("Upload to datastore {}: {}", request.datastore(), report.summary());
    if (report.failed() > 0) {
      FileTransfer first = report.failures().get(0);
      throw new TransferException(report.failed() + " of " + files.size() + " files failed to upload; the "
          + "others are in place. First failure: " + first.path() + ": " + first.error(), report);
    }
  }

  @Override
  public void abort(WriterCommitMessage[] messages) {
    // Committed files are whole blobs and stay; staged blocks of unfinished ones never become blobs.
    LOGGER.warn("Upload to datastore {} was aborted; files already committed stay in place.",
        request.datastore());
  }

  @Override
  public String toString() {
    return description();
  }
}
