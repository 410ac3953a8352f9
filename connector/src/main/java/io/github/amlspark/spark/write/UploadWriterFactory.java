package io.github.amlspark.spark.write;

import io.github.amlspark.transfer.SourceFiles;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.RetryPolicy;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;

/**
 * What every write task needs: the container's SAS, the settings and where the columns are. Primitives
 * only; it travels to the executors.
 *
 * @param access the container, with a SAS that may create, write and read
 * @param remotePrefix the blob-name prefix, "" or ending in {@code /}
 * @param overwrite what to do with a blob that exists
 * @param validateChecksum also send each block's MD5
 * @param concurrency files in flight per task
 * @param retry how every request is retried
 * @param pathIndex the {@code path} column
 * @param contentIndex the {@code content} column, or -1
 * @param sourceFileIndex the {@code sourceFile} column, or -1
 * @param sourceFiles opens {@code sourceFile} values
 */
record UploadWriterFactory(ContainerAccess access, String remotePrefix, OverwriteMode overwrite,
    boolean validateChecksum, int concurrency, RetryPolicy retry, int pathIndex, int contentIndex, int sourceFileIndex,
    SourceFiles sourceFiles)
    implements DataWriterFactory {

  @Override
  public DataWriter<InternalRow> createWriter(int partitionId, long taskId) {
    return new UploadDataWriter(this, partitionId, taskId);
  }
}
