package io.github.amlspark.storage;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
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
import java.util.List;

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
   * @param permissions container permissions, from {@link #read()} or {@link #upload(OverwriteMode)}
   * @param ttl how long the SAS is valid
   * @return the executors' access
   */
  public static ContainerAccess issue(DatastoreSpec datastore, BlobContainerSasPermission permissions,
      Duration ttl) {
    return issue(datastore, ttl, List.of(permissions)).get(0);
  }

  /**
   * A read's two accesses: listing is the driver's alone, so executors get a SAS that can only read.
   *
   * @param datastore the resolved datastore
   * @param ttl how long the SAS are valid
   * @return the driver's listing access and the executors' read-only one (for a datastore's own SAS, that
   *     SAS twice: it cannot be narrowed)
   */
  public static ReadAccess issueRead(DatastoreSpec datastore, Duration ttl) {
    BlobContainerSasPermission list = new BlobContainerSasPermission().setReadPermission(true)
        .setListPermission(true);
    List<ContainerAccess> both = issue(datastore, ttl, List.of(list, read()));
    return new ReadAccess(both.get(0), both.get(1));
  }

  /**
   * @param listing the driver's access, which may also list: it never leaves the driver
   * @param executors the executors' access, which may only read
   */
  public record ReadAccess(ContainerAccess listing, ContainerAccess executors) {
  }

  /** One SAS per permission set, signed with one key (one user delegation key request at most). */
  private static List<ContainerAccess> issue(DatastoreSpec datastore, Duration ttl,
      List<BlobContainerSasPermission> permissions) {
    // Start a little in the past: executor clocks may lag the driver's.
    OffsetDateTime now = OffsetDateTime.now();
    List<BlobServiceSasSignatureValues> values = permissions.stream()
        .map(p -> new BlobServiceSasSignatureValues(now.plus(ttl), p).setStartTime(now.minusMinutes(5)))
        .toList();
    List<String> sas;
    if (datastore.accountKey() != null) {
      // The account signed for is the datastore's, not one guessed from its URL; the endpoint plays no part
      // in signing, and the container is set explicitly for the same reason.
      BlobContainerClient container = new BlobContainerClientBuilder().endpoint(datastore.accountUrl())
          .containerName(datastore.container())
          .credential(new StorageSharedKeyCredential(accountName(datastore), datastore.accountKey().reveal()))
          .httpClient(StorageClients.http())
          .buildClient();
      sas = values.stream().map(container::generateSas).toList();
    } else if (datastore.identity() != null) {
      sas = userDelegationSas(datastore, values);
    } else {
      // The datastore's own SAS: executors can do no more than it allows.
      return permissions.stream().map(p -> new ContainerAccess(datastore.containerUrl(), datastore.sasToken()))
          .toList();
    }
    return sas.stream().map(s -> new ContainerAccess(datastore.containerUrl(), SecretString.ofNullable(s)))
        .toList();
  }

  private static List<String> userDelegationSas(DatastoreSpec datastore,
      List<BlobServiceSasSignatureValues> values) {
    if (!datastore.accountUrl().startsWith("https://")) {
      throw new AzureMLException("Datastore '" + datastore.name() + "' is reached with "
          + datastore.identity().description() + ", which needs an https:// storage endpoint; "
          + datastore.accountUrl() + " is not one (emulators accept only keys and SAS).");
    }
    BlobServiceClient service = new BlobServiceClientBuilder().endpoint(datastore.accountUrl())
        .credential(datastore.identity().credential()).httpClient(StorageClients.http()).buildClient();
    BlobServiceSasSignatureValues first = values.get(0);
    try {
      UserDelegationKey key = service.getUserDelegationKey(first.getStartTime(), first.getExpiryTime());
      BlobContainerClient container = service.getBlobContainerClient(datastore.container());
      String account = accountName(datastore);
      return values.stream().map(v -> container.generateUserDelegationSas(v, key, account, Context.NONE))
          .toList();
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

  /** @return permission to read a container's blobs: all that download and read tasks do */
  public static BlobContainerSasPermission read() {
    return new BlobContainerSasPermission().setReadPermission(true);
  }

  /**
   * @return what the azureml file system's readers, writers and Spark's commit protocol do in one container:
   *     read, list, create, write, add and delete (WASB renames by copy and delete)
   */
  public static BlobContainerSasPermission fileSystem() {
    return new BlobContainerSasPermission().setReadPermission(true).setListPermission(true)
        .setCreatePermission(true).setWritePermission(true).setAddPermission(true).setDeletePermission(true);
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
    if (datastore.accountName() != null) {
      return datastore.accountName();
    }
    // An inline datastore given by URL alone: the SDK's parse is right for the usual host and emulator forms.
    try {
      return BlobUrlParts.parse(new URL(datastore.containerUrl())).getAccountName();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("Datastore '" + datastore.name() + "' has an invalid account URL "
          + datastore.accountUrl() + ".", e);
    }
  }
}
