package io.github.amlspark.storage;

import com.azure.storage.blob.models.BlobStorageException;
import io.github.amlspark.AzureMLException;
import io.github.amlspark.auth.ContainerAccess;

/**
 * Turns storage failures into messages that say what to do. They name the container and blob, never a
 * URL with its query (that is where a SAS signature lives).
 */
public final class StorageErrors {
  private StorageErrors() {
  }

  static AzureMLException listingFailed(ContainerAccess access, String prefix, BlobStorageException e) {
    return new AzureMLException("Listing blobs with prefix \"" + prefix + "\" in " + access.containerUrl()
        + " failed: " + describe(e), null);
  }

  /**
   * @param e a storage failure
   * @return status, error code and what to do, without any URL or secret
   */
  public static String describe(BlobStorageException e) {
    return describe(e.getStatusCode(), e.getErrorCode() == null ? null : e.getErrorCode().toString());
  }

  /**
   * @param status the HTTP status
   * @param errorCode the storage error code (x-ms-error-code), or null
   * @return status, error code and what to do, without any URL or secret
   */
  public static String describe(int status, String errorCode) {
    String code = errorCode == null ? "" : " " + errorCode;
    String hint;
    switch (status) {
      case 403:
        if ("AuthorizationPermissionMismatch".equals(errorCode)) {
          hint = "the SAS or identity lacks this permission: for an identity-based or service-principal "
              + "datastore the identity needs Storage Blob Data Reader (downloads) or Storage Blob Data "
              + "Contributor (uploads) on the storage account, Contributor or Owner alone is not enough; for "
              + "a datastore's own SAS, it must allow this operation";
          break;
        }
        hint = "access denied: check the datastore's credential, that its SAS has not expired and allows "
            + "this operation, and for identity-based datastores that you hold a Storage Blob Data role";
        break;
      case 404:
        hint = "not found: the container or blob does not exist";
        break;
      case 412:
        hint = "the blob changed while it was being read; run the transfer again";
        break;
      default:
        hint = "the storage service refused the request";
    }
    return "HTTP " + status + code + " (" + hint + ")";
  }
}
