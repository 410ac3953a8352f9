package io.github.amlspark.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.AddressNotFoundException;
import io.github.amlspark.AzureMLException;
import io.github.amlspark.Workspace;
import io.github.amlspark.workspace.AddressResolver.DatastorePath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The resolver's reading of ARM's job and datastore shapes, and the addresses that need no ARM call. */
class AddressResolverTest {
  private static final ResolvedWorkspace WS = new ResolvedWorkspace(Workspace.of("S", "R", "W"), null, "test",
      () -> {
        throw new AssertionError("no Azure call expected");
      });

  private static Map<String, Object> job(Map<String, Object> outputs) {
    return Map.of("name", "j1", "properties", Map.of("status", "Completed", "outputs", outputs));
  }

  private static Map<String, Object> output(String type, String uri) {
    return uri == null ? Map.of("jobOutputType", type, "mode", "ReadWriteMount")
        : Map.of("jobOutputType", type, "mode", "ReadWriteMount", "uri", uri);
  }

  private static DatastorePath resolveOutput(Map<String, Object> outputs, String name) {
    return AddressResolver.outputLocation(WS, "j1", name, job(outputs), true, () -> "mydefault");
  }

  @Test
  void anOutputsUriInTheLongDatastoreFormIsThatDatastorePathAsAFolder() {
    DatastorePath p = resolveOutput(Map.of("model", output("uri_folder", "azureml://subscriptions/S/resourceGroups/"
        + "R/providers/Microsoft.MachineLearningServices/workspaces/W/datastores/lake/paths/models/m1")), "model");
    assertEquals("lake", p.datastore());
    assertEquals("models/m1/", p.path());
    assertFalse(p.file());
  }

  @Test
  void aUriFileOutputIsOneFile() {
    DatastorePath p = resolveOutput(Map.of("score", output("uri_file",
        "azureml://datastores/ds/paths/out/score.json")), "score");
    assertEquals("out/score.json", p.path());
    assertTrue(p.file());
  }

  @Test
  void theDefaultOutputsShapeWithoutPathsIsUnderstood() {
    DatastorePath p = resolveOutput(Map.of("default", output("uri_folder",
        "azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.j1")), "default");
    assertEquals("workspaceartifactstore", p.datastore());
    assertEquals("ExperimentRun/dcid.j1/", p.path());
  }

  @Test
  void anOutputWithoutUriIsAzureMLsDefaultOnTheDefaultDatastore() {
    DatastorePath p = resolveOutput(Map.of("model", output("uri_folder", null)), "model");
    assertEquals("mydefault", p.datastore());
    assertEquals("azureml/j1/model/", p.path());
  }

  @Test
  void anUnknownOutputNamesTheJobsOutputs() {
    AddressNotFoundException e = assertThrows(AddressNotFoundException.class,
        () -> resolveOutput(Map.of("model", output("uri_folder", null)), "modle"));
    assertTrue(e.getMessage().contains("'modle'") && e.getMessage().contains("model")
        && e.getMessage().contains("artifacts"), e.getMessage());
  }

  @Test
  void aStorageUrlIsAClearErrorWithoutItsQuery() {
    AzureMLException e = assertThrows(AzureMLException.class, () -> resolveOutput(Map.of("raw", output("uri_folder",
        "https://acct.blob.core.windows.net/c/out?sv=2022&sig=SECRET")), "raw"));
    assertTrue(e.getMessage().contains("https://acct.blob.core.windows.net/c/out")
        && e.getMessage().contains("datastore"), e.getMessage());
    assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
  }

  @Test
  void aLocationInAnotherWorkspaceIsAClearError() {
    AzureMLException e = assertThrows(AzureMLException.class, () -> resolveOutput(Map.of("m", output("uri_folder",
        "azureml://subscriptions/S/resourcegroups/R/workspaces/Other/datastores/ds/paths/x")), "m"));
    assertTrue(e.getMessage().contains("Other"), e.getMessage());
  }

  @Test
  void anOutputThatPointsAtAnotherJobsArtifactsIsFollowedOnce() {
    DatastorePath p = resolveOutput(Map.of("m", output("uri_folder",
        "azureml://jobs/j0/outputs/artifacts/paths/outputs/")), "m");
    assertEquals(RunLookup.ARTIFACT_STORE, p.datastore());
    assertEquals("ExperimentRun/dcid.j0/outputs/", p.path());
  }

  @Test
  void datastorePathsAndArtifactsNeedNoAzureCall() {
    DatastorePath ds = AddressResolver.resolve(WS, AzureMLAddress.parse("azureml://datastores/ds/paths/a/b"));
    assertEquals("ds", ds.datastore());
    assertEquals("a/b", ds.path());
    DatastorePath run = AddressResolver.resolve(WS, AzureMLAddress.parse("azureml://jobs/r1/outputs/artifacts/paths/x"));
    assertEquals(RunLookup.ARTIFACT_STORE, run.datastore());
    assertEquals("ExperimentRun/dcid.r1/x", run.path());
  }

  @Test
  void theDefaultDatastoreIsTheOneMarkedDefaultElseWorkspaceblobstore() {
    assertEquals("lake", AddressResolver.defaultDatastore(Map.of("value", List.of(
        Map.of("name", "other", "properties", Map.of("isDefault", false)),
        Map.of("name", "lake", "properties", Map.of("isDefault", true))))));
    assertEquals("workspaceblobstore", AddressResolver.defaultDatastore(Map.of("value", List.of())));
  }

  @Test
  void fileTypesInEitherSpelling() {
    assertTrue(AddressResolver.isFileType("uri_file"));
    assertTrue(AddressResolver.isFileType("UriFile"));
    assertFalse(AddressResolver.isFileType("uri_folder"));
    assertFalse(AddressResolver.isFileType("mltable"));
    assertFalse(AddressResolver.isFileType(null));
  }
}
