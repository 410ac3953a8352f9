package io.github.amlspark.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StorageErrorsTest {
  @Test
  void aMissingDataRoleOnAnIdentityBasedDatastoreNamesTheRoles() {
    String m = StorageErrors.describe(403, "AuthorizationPermissionMismatch");
    assertTrue(m.contains("Storage Blob Data Reader") && m.contains("Storage Blob Data Contributor"), m);
  }

  @Test
  void otherRefusalsSayWhatToCheck() {
    assertTrue(StorageErrors.describe(403, "AuthenticationFailed").contains("SAS has not expired"));
    assertTrue(StorageErrors.describe(404, "ContainerNotFound").contains("does not exist"));
  }

  @Test
  void aLeasedBlobSaysSoAndNotThatItChanged() {
    for (int status : new int[] {409, 412}) {
      String m = StorageErrors.describe(status, "LeaseIdMissing");
      assertTrue(m.contains("LeaseIdMissing") && m.contains("leased") && m.contains("break the lease"), m);
      assertFalse(m.contains("changed"), m);
    }
    assertTrue(StorageErrors.describe(412, "ConditionNotMet").contains("changed while it was being read"));
    assertTrue(StorageErrors.describe(409, "BlobImmutableDueToPolicy").contains("immutable"));
    assertTrue(StorageErrors.describe(400, "InvalidBlockList").contains("another upload"));
  }
}
