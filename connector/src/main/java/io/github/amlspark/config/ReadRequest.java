package io.github.amlspark.config;

import io.github.amlspark.workspace.AzureMLAddress;
import io.github.amlspark.workspace.WorkspaceRequest;
import java.time.Duration;

/**
 * A read of the {@code azureml} source, parsed and validated on the driver. Driver-only: executors get
 * {@link TransferSettings}.
 *
 * @param workspace how to find the workspace
 * @param datastore the datastore to read, or null when reading a run or an address
 * @param runId the run to read, or null when reading a datastore or an address
 * @param address a job output or data asset to read (resolved when the read is planned), or null
 * @param prefix blob-name prefix relative to the datastore or run root, "" for everything (unused with an
 *     address, which carries its own path)
 * @param pathGlobFilter glob on file names, or null
 * @param transfer what executors need
 * @param maxPartitionBytes bytes packed into one task
 * @param openCostInBytes the cost charged per file when packing
 * @param sasTtl how long the executors' SAS stays valid
 */
public record ReadRequest(WorkspaceRequest workspace, String datastore, String runId, AzureMLAddress address,
    String prefix,
    String pathGlobFilter, TransferSettings transfer, long maxPartitionBytes, long openCostInBytes,
    Duration sasTtl) {

  /** @return whether rows are the transfer report of a download rather than file contents */
  public boolean isDownload() {
    return transfer.outputFolder() != null;
  }

  /** @return what is read, for messages and {@code explain()}: never a secret */
  public String describe() {
    String what = address != null ? "address=" + address.describe()
        : (datastore != null ? "datastore=" + datastore : "runId=" + runId) + ", prefix=" + prefix;
    return what
        + (pathGlobFilter != null ? ", pathGlobFilter=" + pathGlobFilter : "")
        + (isDownload() ? ", outputFolder=" + transfer.outputFolder() + ", overwrite="
            + transfer.overwrite().optionValue() : "")
        + ", validateChecksum=" + transfer.validateChecksum() + (transfer.checkMd5() ? "" : ", checkMd5=false");
  }
}
