package io.github.amlspark.storage;

import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.BlobUrlParts;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.UserDelegationKey;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.StorageSharedKeyCredential;
import io.github.amlspark.AzureMLException;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.auth.SecretString;
import io.github.amlspark.workspace.DatastoreSpec;
import java.net.MalformedURLException;
import java.net.URL;
import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * Turns a datastore's credential into what executors receive: a SAS scoped to the one container with the
 * least permissions the operation needs, valid for a bounded time. An account key is used to sign a
 * service SAS; an identity (service principal, or the caller's own for identity-based datastores) to get a
 * user delegation key and sign a user delegation SAS; a datastore's own SAS is passed on as it is. No key,
 * client secret or token leaves the driver.
 */
public final class SasIssuer {
  private SasIssuer() {
  }

  /**
   * @param datastore the resolved datastore
   * @param permissions container permissions, from {@link #readList()} or {@link #upload(OverwriteMode)}
   * @param ttl how long the SAS is valid
   * @return the executors' access
   */
  public static ContainerAccess issue(DatastoreSpec datastore, BlobContainerSasPermission permissions,
      Duration ttl) {
    // Start a little in the past: executor clocks may lag the driver's.
    OffsetDateTime now = OffsetDateTime.now();
    BlobServiceSasSignatureValues values = new BlobServiceSasSignatureValues(now.plus(ttl), permissions)
        .setStartTime(now.minusMinutes(5));
    if (datastore.accountKey() != null) {
      String sas = new BlobContainerClientBuilder().endpoint(datastore.containerUrl())
          .credential(new StorageSharedKeyCredential(accountName(datastore), datastore.accountKey().reveal()))
          .buildClient().generateSas(values);
      return new ContainerAccess(datastore.containerUrl(), SecretString.ofNullable(sas));
    }
    if (datastore.identity() != null) {
      return new ContainerAccess(datastore.containerUrl(),
          SecretString.ofNullable(userDelegationSas(datastore, values, now)));
    }
    // The datastore's own SAS: executors can do no more than it allows.
    return new ContainerAccess(datastore.containerUrl(), datastore.sasToken());
  }

  private static String userDelegationSas(DatastoreSpec datastore, BlobServiceSasSignatureValues values,
      OffsetDateTime now) {
    if (!datastore.accountUrl().startsWith("https://")) {
      throw new AzureMLException("Datastore '" + datastore.name() + "' is reached with "
          + datastore.identity().description() + ", which needs an https:// storage endpoint; "
          + datastore.accountUrl() + " is not one (emulators accept only keys and SAS).");
    }
    BlobServiceClient service = new BlobServiceClientBuilder().endpoint(datastore.accountUrl())
        .credential(datastore.identity().credential()).buildClient();
    try {
      UserDelegationKey key = service.getUserDelegationKey(values.getStartTime(), values.getExpiryTime());
      return service.getBlobContainerClient(datastore.container()).generateUserDelegationSas(values, key);
    } catch (BlobStorageException e) {
      throw new AzureMLException("Datastore '" + datastore.name() + "': " + datastore.identity().description()
          + " could not get a user delegation key from " + datastore.accountUrl() + ": "
          + StorageErrors.describe(e) + ". Identity-based access needs a Storage Blob Data Reader (downloads) "
          + "or Storage Blob Data Contributor (uploads) role on the storage account, not only Contributor.", e);
    } catch (RuntimeException e) {
      throw new AzureMLException("Datastore '" + datastore.name() + "': " + datastore.identity().description()
          + " could not sign in to storage: " + e.getMessage(), e);
    }
  }

  /** @return permissions to list and read a container: what downloads and reads need */
  public static BlobContainerSasPermission readList() {
    return new BlobContainerSasPermission().setReadPermission(true).setListPermission(true);
  }

  /**
   * @param mode the upload's overwrite mode
   * @return create and write; plus read unless {@code overwrite=true}: {@code ifDifferent} compares with the
   *     blob there, and {@code false} tells its own blob from another writer's when a retried create is refused
   */
  public static BlobContainerSasPermission upload(OverwriteMode mode) {
    return new BlobContainerSasPermission().setCreatePermission(true).setWritePermission(true)
        .setReadPermission(mode != OverwriteMode.ALWAYS);
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
