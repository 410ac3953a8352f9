package io.github.amlspark.storage;

import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.blob.BlobUrlParts;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.auth.SecretString;
import io.github.amlspark.workspace.DatastoreSpec;
import java.net.MalformedURLException;
import java.net.URL;
import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * Turns a datastore's credential into what executors receive: a SAS scoped to the one container with the
 * least permissions the operation needs. An account key never leaves the driver.
 */
public final class SasIssuer {
  /** How long an issued SAS stays valid. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(8);

  private SasIssuer() {
  }

  /**
   * @param datastore the resolved datastore
   * @param permissions container permissions, e.g. {@code new BlobContainerSasPermission().setReadPermission(true)}
   * @param ttl how long the SAS is valid
   * @return the executors' access
   */
  public static ContainerAccess issue(DatastoreSpec datastore, BlobContainerSasPermission permissions,
      Duration ttl) {
    if (datastore.accountKey() == null) {
      // The datastore's own SAS: executors can do no more than it allows.
      return new ContainerAccess(datastore.containerUrl(), datastore.sasToken());
    }
    String account = accountName(datastore);
    var client = new BlobContainerClientBuilder()
        .endpoint(datastore.containerUrl())
        .credential(new StorageSharedKeyCredential(account, datastore.accountKey().reveal()))
        .buildClient();
    // Start a little in the past: executor clocks may lag the driver's.
    OffsetDateTime now = OffsetDateTime.now();
    String sas = client.generateSas(new BlobServiceSasSignatureValues(now.plus(ttl), permissions)
        .setStartTime(now.minusMinutes(5)));
    return new ContainerAccess(datastore.containerUrl(), SecretString.ofNullable(sas));
  }

  /** @return permissions to create and write blobs, and to read their properties (skip decisions) */
  public static BlobContainerSasPermission createWriteRead() {
    return new BlobContainerSasPermission().setCreatePermission(true).setWritePermission(true)
        .setReadPermission(true);
  }

  /** @return permissions to list and read a container */
  public static BlobContainerSasPermission readList() {
    return new BlobContainerSasPermission().setReadPermission(true).setListPermission(true);
  }

  private static String accountName(DatastoreSpec datastore) {
    try {
      return BlobUrlParts.parse(new URL(datastore.containerUrl())).getAccountName();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("Datastore '" + datastore.name() + "' has an invalid account URL "
          + datastore.accountUrl() + ".", e);
    }
  }
}
