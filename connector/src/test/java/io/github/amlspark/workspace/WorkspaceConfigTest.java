package io.github.amlspark.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.Workspace;
import io.github.amlspark.WorkspaceNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceConfigTest {
  // Base64, as a real account key is; recognisable, so that a leak is easy to spot.
  static final String ACCOUNT_KEY = "S3cr3tAccountKeyZZZ0123456789abcdefS3cr3tAccountKeyZZZ0123456789ab==";
  static final String SAS = "sv=2024-01-01&sig=S3cr3tSignatureQQQ%3D";

  @TempDir
  Path dir;

  private Path write(String json) throws IOException {
    Path file = dir.resolve("config.json");
    Files.writeString(file, json, StandardCharsets.UTF_8);
    return file;
  }

  static String validJson() {
    return """
        { "subscription_id": "00000000-0000-0000-0000-000000000000", "resource_group": "local",
          "workspace_name": "local", "offline": true, "arm_endpoint": "http://127.0.0.1:9999",
          "storage_endpoints": { "DevStoreAccount1": "http://127.0.0.1:10000/devstoreaccount1" },
          "datastores": {
            "workspaceblobstore": { "account_url": "http://127.0.0.1:10000/devstoreaccount1",
                                    "container": "data", "account_key": "%s" },
            "workspaceartifactstore": { "account_url": "http://127.0.0.1:10000/devstoreaccount1",
                                        "container": "azureml", "sas_token": "?%s" },
            "byname": { "account_name": "devstoreaccount1", "container": "c", "sas_token": "%s" },
            "public": { "account_name": "realacct", "container": "c2", "account_key": "%s" }
          } }
        """.formatted(ACCOUNT_KEY, SAS, SAS, ACCOUNT_KEY);
  }

  @Test
  void loadsAValidFileWithInlineDatastores() throws IOException {
    Path file = write(validJson());
    WorkspaceConfig config = WorkspaceConfig.load(file);

    assertEquals(file, config.source());
    assertEquals(Workspace.of("00000000-0000-0000-0000-000000000000", "local", "local"), config.workspace());
    assertTrue(config.offline());
    assertEquals("http://127.0.0.1:9999", config.armEndpoint());
    assertEquals(Map.of("devstoreaccount1", "http://127.0.0.1:10000/devstoreaccount1"),
        config.storageEndpoints());
    assertEquals(List.of("workspaceblobstore", "workspaceartifactstore", "byname", "public"),
        List.copyOf(config.datastores().keySet()));

    DatastoreSpec blob = config.datastores().get("workspaceblobstore");
    assertEquals("workspaceblobstore", blob.name());
    assertEquals("http://127.0.0.1:10000/devstoreaccount1", blob.accountUrl());
    assertEquals("data", blob.container());
    assertEquals("http://127.0.0.1:10000/devstoreaccount1/data", blob.containerUrl());
    assertEquals(ACCOUNT_KEY, blob.accountKey().reveal());
    assertNull(blob.sasToken());

    DatastoreSpec artifacts = config.datastores().get("workspaceartifactstore");
    assertNull(artifacts.accountKey());
    assertEquals(SAS, artifacts.sasToken().reveal(), "the leading '?' is stripped");
    assertEquals("azureml", artifacts.container());
  }

  @Test
  void accountNameMapsThroughStorageEndpointsOrThePublicCloud() throws IOException {
    WorkspaceConfig config = WorkspaceConfig.load(write(validJson()));
    DatastoreSpec byName = config.datastores().get("byname");
    assertEquals("http://127.0.0.1:10000/devstoreaccount1", byName.accountUrl(),
        "account names are matched case-insensitively against storage_endpoints");
    assertEquals("http://127.0.0.1:10000/devstoreaccount1/c", byName.containerUrl());
    assertEquals(SAS, byName.sasToken().reveal());

    DatastoreSpec pub = config.datastores().get("public");
    assertEquals("https://realacct.blob.core.windows.net", pub.accountUrl());
    assertEquals("https://realacct.blob.core.windows.net/c2", pub.containerUrl());
  }

  @Test
  void minimalFileHasNoDatastoresAndIsOnline() throws IOException {
    WorkspaceConfig config = WorkspaceConfig.load(write(
        "{\"subscription_id\": \"s\", \"resource_group\": \"r\", \"workspace_name\": \"w\"}"));
    assertEquals(Workspace.of("s", "r", "w"), config.workspace());
    assertFalse(config.offline());
    assertNull(config.armEndpoint());
    assertTrue(config.datastores().isEmpty());
    assertTrue(config.storageEndpoints().isEmpty());
  }

  @Test
  void noSecretInToString() throws IOException {
    WorkspaceConfig config = WorkspaceConfig.load(write(validJson()));
    List<String> texts = List.of(config.toString(), String.valueOf(config.datastores()),
        new ResolvedWorkspace(config.workspace(), config, "test", () -> null).toString());
    for (String text : texts) {
      assertNoSecret(text);
    }
    for (DatastoreSpec spec : config.datastores().values()) {
      assertNoSecret(spec.toString());
      assertTrue(spec.toString().contains(spec.name()), spec.toString());
    }
  }

  @Test
  void missingFileNamesThePath() {
    Path missing = dir.resolve("nope").resolve("config.json");
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> WorkspaceConfig.load(missing));
    assertTrue(e.getMessage().contains(missing.toAbsolutePath().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void aFolderIsNotAConfigFile() {
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> WorkspaceConfig.load(dir));
    assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
  }

  @Test
  void malformedJsonNamesThePathAndNoSecret() throws IOException {
    String truncated = validJson().substring(0, validJson().indexOf(SAS) + SAS.length() + 3);
    Path file = write(truncated);
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> WorkspaceConfig.load(file));
    assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("JSON"), e.getMessage());
    assertNoSecret(e.getMessage());
    assertNoSecretInCauses(e);
  }

  @Test
  void notAnObject() throws IOException {
    Path file = write("[1, 2, 3]");
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> WorkspaceConfig.load(file));
    assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("not a JSON object"), e.getMessage());
  }

  @Test
  void missingSubscriptionId() throws IOException {
    Path file = write(validJson().replace("\"subscription_id\"", "\"subscription\""));
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> WorkspaceConfig.load(file));
    assertTrue(e.getMessage().contains("subscription_id"), e.getMessage());
    assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
    assertNoSecret(e.getMessage());
  }

  @Test
  void blankWorkspaceName() throws IOException {
    Path file = write(validJson().replace("\"workspace_name\": \"local\"", "\"workspace_name\": \" \""));
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> WorkspaceConfig.load(file));
    assertTrue(e.getMessage().contains("workspace_name"), e.getMessage());
  }

  @Test
  void datastoreWithoutCredentials() throws IOException {
    Path file = write("""
        { "subscription_id": "s", "resource_group": "r", "workspace_name": "w",
          "datastores": { "nocreds": { "account_url": "http://x", "container": "c" } } }
        """);
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> WorkspaceConfig.load(file));
    assertTrue(e.getMessage().contains("datastores.nocreds.account_key"), e.getMessage());
    assertTrue(e.getMessage().contains("datastores.nocreds.sas_token"), e.getMessage());
  }

  @Test
  void datastoreWithoutAccount() throws IOException {
    Path file = write("""
        { "subscription_id": "s", "resource_group": "r", "workspace_name": "w",
          "datastores": { "d": { "container": "c", "account_key": "%s" } } }
        """.formatted(ACCOUNT_KEY));
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> WorkspaceConfig.load(file));
    assertTrue(e.getMessage().contains("datastores.d.account_name"), e.getMessage());
    assertNoSecret(e.getMessage());
  }

  @Test
  void datastoreWithoutContainer() throws IOException {
    Path file = write("""
        { "subscription_id": "s", "resource_group": "r", "workspace_name": "w",
          "datastores": { "d": { "account_url": "http://x", "sas_token": "%s" } } }
        """.formatted(SAS));
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> WorkspaceConfig.load(file));
    assertTrue(e.getMessage().contains("datastores.d.container"), e.getMessage());
    assertNoSecret(e.getMessage());
  }

  @Test
  void wrongTypesAreReportedWithoutTheirValues() throws IOException {
    String[] broken = {
        validJson().replace("\"offline\": true", "\"offline\": \"" + SAS + "\""),
        validJson().replace("\"container\": \"data\"", "\"container\": 42"),
        validJson().replace("\"arm_endpoint\": \"http://127.0.0.1:9999\"", "\"arm_endpoint\": 1"),
        "{\"subscription_id\": \"s\", \"resource_group\": \"r\", \"workspace_name\": \"w\", "
            + "\"datastores\": {\"d\": \"" + ACCOUNT_KEY + "\"}}",
        "{\"subscription_id\": \"s\", \"resource_group\": \"r\", \"workspace_name\": \"w\", "
            + "\"datastores\": [\"" + ACCOUNT_KEY + "\"]}",
        "{\"subscription_id\": \"s\", \"resource_group\": \"r\", \"workspace_name\": \"w\", "
            + "\"datastores\": {\"d\": {\"account_url\": \"http://x\", \"container\": \"c\", "
            + "\"account_key\": [\"" + ACCOUNT_KEY + "\"]}}}",
    };
    for (String json : broken) {
      Path file = write(json);
      WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
          () -> WorkspaceConfig.load(file), json);
      assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
      assertNoSecret(e.getMessage());
    }
  }

  @Test
  void sasTokenThatIsOnlyAQuestionMarkIsNoCredential() throws IOException {
    Path file = write("""
        { "subscription_id": "s", "resource_group": "r", "workspace_name": "w",
          "datastores": { "d": { "account_url": "http://x", "container": "c", "sas_token": "?" } } }
        """);
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> WorkspaceConfig.load(file));
    assertTrue(e.getMessage().contains("sas_token"), e.getMessage());
  }

  static void assertNoSecret(String text) {
    assertFalse(text.contains(ACCOUNT_KEY), "account key leaked: " + text);
    assertFalse(text.contains(SAS), "SAS leaked: " + text);
    assertFalse(text.contains("S3cr3t"), "secret fragment leaked: " + text);
  }

  private static void assertNoSecretInCauses(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null) {
        assertNoSecret(c.getMessage());
      }
    }
  }
}
