package io.github.amlspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.Workspace;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AzureMLUriTest {

  @Test
  void datastoreForm() {
    AzureMLUri uri = AzureMLUri.parse("azureml://datastores/ds/paths/foo/bar");
    assertNull(uri.workspace());
    assertEquals("ds", uri.datastore());
    assertNull(uri.runId());
    assertEquals("foo/bar", uri.path());
  }

  @Test
  void workspaceForm() {
    AzureMLUri uri = AzureMLUri.parse(
        "azureml://subscriptions/S/resourcegroups/R/workspaces/W/datastores/ds/paths/foo");
    assertEquals(Workspace.of("S", "R", "W"), uri.workspace());
    assertEquals("ds", uri.datastore());
    assertNull(uri.runId());
    assertEquals("foo", uri.path());
  }

  @Test
  void workspaceFormIsCaseInsensitiveInItsKeywords() {
    AzureMLUri uri = AzureMLUri.parse(
        "AzureML://Subscriptions/S/resourceGroups/R/Workspaces/W/Datastores/ds/Paths/Foo");
    assertEquals(Workspace.of("S", "R", "W"), uri.workspace());
    assertEquals("ds", uri.datastore());
    assertEquals("Foo", uri.path());
  }

  @Test
  void jobForm() {
    AzureMLUri uri = AzureMLUri.parse("azureml://jobs/run_1/outputs/artifacts/paths/outputs/");
    assertNull(uri.workspace());
    assertNull(uri.datastore());
    assertEquals("run_1", uri.runId());
    assertEquals("outputs/", uri.path());
  }

  @Test
  void jobFormInsideAWorkspace() {
    AzureMLUri uri = AzureMLUri.parse(
        "azureml://subscriptions/S/resourcegroups/R/workspaces/W/jobs/r2/outputs/artifacts/paths/a/b.txt");
    assertEquals(Workspace.of("S", "R", "W"), uri.workspace());
    assertEquals("r2", uri.runId());
    assertEquals("a/b.txt", uri.path());
  }

  @Test
  void emptyPathPartMeansEverything() {
    assertEquals("", AzureMLUri.parse("azureml://datastores/ds/paths").path());
    assertEquals("", AzureMLUri.parse("azureml://datastores/ds/paths/").path());
    assertEquals("", AzureMLUri.parse("azureml://jobs/r/outputs/artifacts/paths").path());
  }

  @Test
  void percentEncodingIsDecodedAndPlusIsKept() {
    AzureMLUri uri = AzureMLUri.parse("azureml://datastores/ds/paths/my%20folder/a+b.txt");
    assertEquals("my folder/a+b.txt", uri.path());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "azureml://datastores/ds",
      "azureml://datastores//paths/x",
      "azureml://datastores/ds/files/x",
      "azureml://jobs/r/outputs/x",
      "azureml://subscriptions/S/resourcegroups/R/datastores/ds/paths/x",
      "azureml://",
      "azureml:/datastores/ds/paths/x",
      "wasbs://container@acct.blob.core.windows.net/x",
      "datastores/ds/paths/x",
      ""})
  void invalidUrisListTheSupportedForms(String value) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AzureMLUri.parse(value));
    assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("azureml://datastores/<datastore>/paths/<path>"), e.getMessage());
    assertTrue(e.getMessage().contains("azureml://jobs/"), e.getMessage());
    assertTrue(e.getMessage().contains("azureml://subscriptions/"), e.getMessage());
  }

  @Test
  void nullIsInvalid() {
    assertThrows(IllegalArgumentException.class, () -> AzureMLUri.parse(null));
    assertFalse(AzureMLUri.isAzureMLUri(null));
  }

  @Test
  void isAzureMLUri() {
    assertTrue(AzureMLUri.isAzureMLUri("azureml://x"));
    assertTrue(AzureMLUri.isAzureMLUri("AZUREML://x"));
    assertFalse(AzureMLUri.isAzureMLUri("foo/bar"));
    assertFalse(AzureMLUri.isAzureMLUri("abfss://c@a.dfs.core.windows.net/"));
  }
}
