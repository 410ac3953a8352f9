package io.github.amlspark.spark.read;

import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.BlobEntry;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.connector.read.InputPartition;

/**
 * One read task's files and the container they come from. Serializable, primitives and records only.
 *
 * @param files the task's blobs
 * @param access the container and a read-only SAS for it
 * @param refused for downloads: those of the task's files that the driver refused, path to error
 */
record BlobInputPartition(List<BlobEntry> files, ContainerAccess access, Map<String, String> refused)
    implements InputPartition {
  @Override
  public String toString() {
    return "BlobInputPartition(" + files.size() + " files)";
  }
}
