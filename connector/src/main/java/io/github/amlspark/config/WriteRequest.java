package io.github.amlspark.config;

import io.github.amlspark.OverwriteMode;
import io.github.amlspark.transfer.RetryPolicy;
import io.github.amlspark.workspace.WorkspaceRequest;
import java.time.Duration;

/**
 * A write to the {@code azureml} source, parsed and validated on the driver.
 *
 * @param workspace how to find the workspace
 * @param datastore the datastore written to
 * @param remotePath the blob-name prefix the rows' paths are relative to ("" for the container root)
 * @param overwrite what to do with a blob that exists
 * @param validateChecksum also send each block's MD5
 * @param concurrency files in flight per task
 * @param sasTtl how long the executors' SAS stays valid
 * @param retry how every request is retried
 */
public record WriteRequest(WorkspaceRequest workspace, String datastore, String remotePath,
    OverwriteMode overwrite, boolean validateChecksum, int concurrency, Duration sasTtl,
    RetryPolicy retry) {
}
