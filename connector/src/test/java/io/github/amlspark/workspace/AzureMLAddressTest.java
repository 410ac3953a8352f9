package io.github.amlspark.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.Workspace;
import io.github.amlspark.workspace.AzureMLAddress.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AzureMLAddressTest {
  private static final Workspace WS = Workspace.of("S", "R", "W");

  @Test
  void datastoreForm() {
    AzureMLAddress uri = AzureMLAddress.parse("azureml://datastores/ds/paths/foo/bar");
    assertEquals(Kind.DATASTORE, uri.kind());
    assertNull(uri.workspace());
    assertEquals("ds", uri.datastore());
    assertNull(uri.job());
    assertEquals("foo/bar", uri.path());
  }

  @Test
  void workspaceForm() {
    AzureMLAddress uri = AzureMLAddress.parse(
        "azureml://subscriptions/S/resourcegroups/R/workspaces/W/datastores/ds/paths/foo");
    assertEquals(WS, uri.workspace());
    assertEquals("ds", uri.datastore());
    assertEquals("foo", uri.path());
  }

  @Test
  void workspaceFormIsCaseInsensitiveInItsKeywords() {
    AzureMLAddress uri = AzureMLAddress.parse(
        "AzureML://Subscriptions/S/resourceGroups/R/Workspaces/W/Datastores/ds/Paths/Foo");
    assertEquals(WS, uri.workspace());
    assertEquals("ds", uri.datastore());
    assertEquals("Foo", uri.path());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "azureml://subscriptions/S/resourceGroups/R/providers/Microsoft.MachineLearningServices/workspaces/W/"
          + "datastores/ds/paths/foo",
      "azureml://subscriptions/S/resourcegroups/R/providers/microsoft.machinelearningservices/workspaces/W/"
          + "datastores/ds/paths/foo",
      "azureml://subscriptions/S/RESOURCEGROUPS/R/workspaces/W/datastores/ds/paths/foo"})
  void longFormWithProvidersAndResourceGroupsInAnyCase(String address) {
    AzureMLAddress uri = AzureMLAddress.parse(address);
    assertEquals(WS, uri.workspace());
    assertEquals(Kind.DATASTORE, uri.kind());
    assertEquals("ds", uri.datastore());
    assertEquals("foo", uri.path());
  }

  @Test
  void artifactsAreTheJobsOwnFiles() {
    AzureMLAddress uri = AzureMLAddress.parse("azureml://jobs/run_1/outputs/artifacts/paths/outputs/");
    assertEquals(Kind.ARTIFACTS, uri.kind());
    assertNull(uri.workspace());
    assertNull(uri.datastore());
    assertNull(uri.output());
    assertEquals("run_1", uri.job());
    assertEquals("outputs/", uri.path());
  }

  @Test
  void jobFormInsideAWorkspace() {
    AzureMLAddress uri = AzureMLAddress.parse(
        "azureml://subscriptions/S/resourcegroups/R/workspaces/W/jobs/r2/outputs/artifacts/paths/a/b.txt");
    assertEquals(WS, uri.workspace());
    assertEquals("r2", uri.job());
    assertEquals("a/b.txt", uri.path());
  }

  @Test
  void namedJobOutput() {
    AzureMLAddress uri = AzureMLAddress.parse("azureml://jobs/job_7/outputs/model/paths/weights/x.bin");
    assertEquals(Kind.JOB_OUTPUT, uri.kind());
    assertEquals("job_7", uri.job());
    assertEquals("model", uri.output());
    assertEquals("weights/x.bin", uri.path());
    assertEquals("", AzureMLAddress.parse("azureml://jobs/job_7/outputs/model/paths").path());
    assertEquals(WS, AzureMLAddress.parse("azureml://subscriptions/S/resourceGroups/R/providers/"
        + "Microsoft.MachineLearningServices/workspaces/W/jobs/j/outputs/model/paths/").workspace());
  }

  @Test
  void dataAssetForms() {
    AzureMLAddress versioned = AzureMLAddress.parse("azureml:iris:3");
    assertEquals(Kind.DATA_ASSET, versioned.kind());
    assertEquals("iris", versioned.asset());
    assertEquals("3", versioned.version());
    assertNull(versioned.workspace());
    assertEquals("", versioned.path());
    AzureMLAddress latest = AzureMLAddress.parse("azureml:iris-data.v2@latest");
    assertEquals("iris-data.v2", latest.asset());
    assertNull(latest.version(), "null stands for the latest version");
    AzureMLAddress qualified = AzureMLAddress.parse("azureml://subscriptions/S/resourceGroups/R/providers/"
        + "Microsoft.MachineLearningServices/workspaces/W/data/iris/versions/2");
    assertEquals(Kind.DATA_ASSET, qualified.kind());
    assertEquals(WS, qualified.workspace());
    assertEquals("iris", qualified.asset());
    assertEquals("2", qualified.version());
  }

  @Test
  void aDataAssetWithoutVersionOrWithAnotherLabelSaysWhatToWrite() {
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> AzureMLAddress.parse("azureml:iris"));
    assertTrue(none.getMessage().contains("azureml:iris:<version>") && none.getMessage().contains("@latest"),
        none.getMessage());
    IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
        () -> AzureMLAddress.parse("azureml:iris@prod"));
    assertTrue(label.getMessage().contains("only @latest"), label.getMessage());
  }

  @Test
  void locationsAsAzureMLWritesThemMayLackThePathsSegment() {
    AzureMLAddress uri = AzureMLAddress.parseLocation(
        "azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.j1");
    assertEquals(Kind.DATASTORE, uri.kind());
    assertEquals("workspaceartifactstore", uri.datastore());
    assertEquals("ExperimentRun/dcid.j1", uri.path());
    assertEquals("x/", AzureMLAddress.parseLocation("azureml://datastores/ds/paths/x/").path());
    assertThrows(IllegalArgumentException.class,
        () -> AzureMLAddress.parse("azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.j1"));
  }

  @Test
  void azuremlFsspecsOptionalSegmentsMeanTheRootAndTheLatestVersion() {
    AzureMLAddress root = AzureMLAddress.parse("azureml://subscriptions/S/resourcegroups/R/workspaces/W/datastores/ds");
    assertEquals(Kind.DATASTORE, root.kind());
    assertEquals("", root.path());
    assertEquals("", AzureMLAddress.parse("azureml://datastores/ds/").path());
    AzureMLAddress latest = AzureMLAddress.parse("azureml://subscriptions/S/resourcegroups/R/workspaces/W/data/iris");
    assertEquals(Kind.DATA_ASSET, latest.kind());
    assertNull(latest.version());
  }

  @Test
  void registriesAreAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AzureMLAddress.parse("azureml://registries/azureml/data/iris/versions/1"));
    assertTrue(e.getMessage().contains("registry"), e.getMessage());
  }

  @Test
  void emptyPathPartMeansEverything() {
    assertEquals("", AzureMLAddress.parse("azureml://datastores/ds/paths").path());
    assertEquals("", AzureMLAddress.parse("azureml://datastores/ds/paths/").path());
    assertEquals("", AzureMLAddress.parse("azureml://jobs/r/outputs/artifacts/paths").path());
  }

  @Test
  void percentEncodingIsDecodedAndPlusIsKept() {
    AzureMLAddress uri = AzureMLAddress.parse("azureml://datastores/ds/paths/my%20folder/a+b.txt");
    assertEquals("my folder/a+b.txt", uri.path());
  }

  @Test
  void describeGivesTheShortForm() {
    assertEquals("azureml://jobs/j/outputs/model/paths/x", AzureMLAddress.parse(
        "azureml://subscriptions/S/resourcegroups/R/workspaces/W/jobs/j/outputs/model/paths/x").describe());
    assertEquals("azureml:iris@latest", AzureMLAddress.parse("azureml:iris@latest").describe());
    assertEquals("azureml:iris:1", AzureMLAddress.parse("azureml://data/iris/versions/1").describe());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "azureml://datastores//paths/x",
      "azureml://datastores/ds/files/x",
      "azureml://jobs/r/outputs/x",
      "azureml://jobs/r/outputs",
      "azureml://data/iris/x",
      "azureml://subscriptions/S/resourcegroups/R/datastores/ds/paths/x",
      "azureml://subscriptions/S/resourcegroups/R/providers/Other.Provider/workspaces/W/datastores/ds/paths/x",
      "azureml://",
      "azureml:/datastores/ds/paths/x",
      "azureml:a:b:c",
      "wasbs://container@acct.blob.core.windows.net/x",
      "datastores/ds/paths/x",
      ""})
  void invalidAddressesListTheSupportedForms(String value) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AzureMLAddress.parse(value));
    assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("azureml://datastores/<datastore>/paths/<path>"), e.getMessage());
    assertTrue(e.getMessage().contains("azureml://jobs/"), e.getMessage());
    assertTrue(e.getMessage().contains("azureml:<data asset>:<version>"), e.getMessage());
    assertTrue(e.getMessage().contains("azureml://subscriptions/"), e.getMessage());
  }

  @Test
  void nullIsInvalid() {
    assertThrows(IllegalArgumentException.class, () -> AzureMLAddress.parse(null));
    assertFalse(AzureMLAddress.isAddress(null));
  }

  @Test
  void isAddress() {
    assertTrue(AzureMLAddress.isAddress("azureml://x"));
    assertTrue(AzureMLAddress.isAddress("AZUREML://x"));
    assertTrue(AzureMLAddress.isAddress("azureml:iris:1"));
    assertFalse(AzureMLAddress.isAddress("foo/bar"));
    assertFalse(AzureMLAddress.isAddress("abfss://c@a.dfs.core.windows.net/"));
  }
}
