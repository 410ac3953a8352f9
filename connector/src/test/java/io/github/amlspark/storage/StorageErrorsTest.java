package io.github.amlspark.storage;

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
}
