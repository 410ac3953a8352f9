package io.github.amlspark.storage;

import com.azure.storage.blob.models.BlobStorageException;
import io.github.amlspark.AzureMLException;
import io.github.amlspark.auth.ContainerAccess;

/**
 * Turns storage failures into messages that say what to do. They name the container and blob, never a
 * URL with its query (that is where a SAS signature lives).
 */
public final class StorageErrors {
  private static final String LEASED =
      "the blob is leased: break the lease or wait until it is released, then upload again";

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
      case 400:
        hint = "InvalidBlockList".equals(errorCode)
            ? "another upload to this blob committed while this one staged its blocks, which discarded them; "
                + "the blob holds the other upload's file: upload again if this one should replace it"
            : "the storage service refused the request";
        break;
      case 409:
        hint = switch (errorCode == null ? "" : errorCode) {
          case "BlobAlreadyExists" -> "a blob of that name exists";
          case "LeaseIdMissing", "LeaseIdMismatchWithBlobOperation", "LeaseNotPresentWithBlobOperation" -> LEASED;
          case "BlobImmutableDueToPolicy", "BlobImmutableDueToLegalHold" -> "the blob is immutable (an "
              + "immutability policy or legal hold protects it): upload to another name, or lift the policy";
          default -> "the blob cannot be written as it is: a directory of that name in a hierarchical "
              + "namespace, an immutable or a leased blob; upload to another name, or remove what is in the way";
        };
        break;
      case 412:
        hint = switch (errorCode == null ? "" : errorCode) {
          case "LeaseIdMissing", "LeaseIdMismatchWithBlobOperation", "LeaseNotPresentWithBlobOperation",
              "LeaseLost" -> LEASED;
          default -> "the blob changed while it was being read; run the transfer again";
        };
        break;
      default:
        hint = "the storage service refused the request";
    }
    return "HTTP " + status + code + " (" + hint + ")";
  }
}
