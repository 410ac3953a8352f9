package io.github.amlspark.planning;

import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.BlobEntry;
import java.util.List;

/**
 * What the driver found for a read: the container executors may read, and the files.
 *
 * @param access the container and a read-only SAS for it
 * @param files the files, folder markers and glob misses left out
 * @param source "datastore ds", "run with ID r" or what an address resolved to, for messages
 */
public record ReadPlan(ContainerAccess access, List<BlobEntry> files, String source) {
  /** @return the files' total length in bytes */
  public long totalBytes() {
    return files.stream().mapToLong(BlobEntry::length).sum();
  }
}
