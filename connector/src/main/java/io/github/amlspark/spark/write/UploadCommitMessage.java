package io.github.amlspark.spark.write;

import io.github.amlspark.FileTransfer;
import java.util.List;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * What one write task sends the driver when it commits: its files' outcomes.
 *
 * @param partitionId the task's partition
 * @param taskId the committing attempt
 * @param files each file's path, length, MD5, status and error
 */
record UploadCommitMessage(int partitionId, long taskId, List<FileTransfer> files) implements WriterCommitMessage {
}
