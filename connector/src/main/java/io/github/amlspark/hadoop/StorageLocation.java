package io.github.amlspark.hadoop;

import java.net.URI;
import java.util.Map;

/** Where a datastore's container lives for one of hadoop-azure's file systems, and how a SAS reaches it. */
interface StorageLocation {
  /** @return the container's root, e.g. {@code wasbs://container@account.blob.core.windows.net/} */
  URI root();

  /**
   * @param sas a SAS for the container
   * @return the Hadoop configuration entries with which that file system reaches the container with the SAS
   */
  Map<String, String> entries(String sas);
}
