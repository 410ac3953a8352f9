package io.github.amlspark.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ArmDatastoresTest {
  @Test
  void theStorageUrlComesFromTheDatastoresCloudSuffix() {
    assertEquals("https://acct.blob.core.chinacloudapi.cn", ArmDatastores.accountUrl(
        Map.of("accountName", "acct", "endpoint", "core.chinacloudapi.cn", "protocol", "https"), Map.of(), "ds"));
    assertEquals("https://acct.blob.core.windows.net",
        ArmDatastores.accountUrl(Map.of("accountName", "acct"), Map.of(), "ds"));
  }

  @Test
  void storageEndpointsMapAnAccountToAnExplicitBaseUrl() {
    assertEquals("http://127.0.0.1:10000/acct", ArmDatastores.accountUrl(
        Map.of("accountName", "Acct", "endpoint", "core.windows.net"),
        Map.of("acct", "http://127.0.0.1:10000/acct"), "ds"));
  }
}
