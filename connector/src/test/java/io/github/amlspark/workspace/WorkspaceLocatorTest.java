package io.github.amlspark.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.amlspark.Workspace;
import io.github.amlspark.WorkspaceNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceLocatorTest {
  private static final Map<String, String> ARM_ENV = Map.of(
      "AZUREML_ARM_SUBSCRIPTION", "arm-sub", "AZUREML_ARM_RESOURCEGROUP", "arm-rg",
      "AZUREML_ARM_WORKSPACE_NAME", "arm-ws");
  private static final Map<String, String> HIML_ENV = Map.of(
      "HIML_SUBSCRIPTION_ID", "himl-sub", "HIML_RESOURCE_GROUP", "himl-rg", "HIML_WORKSPACE_NAME", "himl-ws");

  @TempDir
  Path root;
  Path workingDir;
  final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void setUp() throws IOException {
    // The search walks up to the file system root: a stray config.json above the temp folder would win.
    for (Path p = root.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      for (String sub : new String[] {"", ".azureml", "aml_config"}) {
        assumeFalse(Files.exists(p.resolve(sub).resolve("config.json")), "config.json above " + root);
      }
    }
    workingDir = Files.createDirectories(root.resolve("a").resolve("b").resolve("c"));
  }

  private WorkspaceLocator locator() {
    return new WorkspaceLocator(env::get, workingDir);
  }

  private static Path writeConfig(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"subscription_id\": \"sub-" + name + "\", \"resource_group\": \"rg-" + name
        + "\", \"workspace_name\": \"" + name + "\"}");
    return file;
  }

  @Test
  void explicitWorkspaceWinsOverEverything() throws IOException {
    env.putAll(ARM_ENV);
    env.putAll(HIML_ENV);
    writeConfig(workingDir, "cwd");
    Path given = writeConfig(root.resolve("given"), "given");
    Workspace explicit = Workspace.of("s", "r", "w");
    ResolvedWorkspace found = locator().locate(new WorkspaceRequest(explicit, given.toString(), null, null));
    assertEquals(explicit, found.workspace());
    assertNull(found.config());
  }

  @Test
  void givenConfigPathBeatsEnvironmentAndDiscovery() throws IOException {
    env.putAll(ARM_ENV);
    writeConfig(workingDir, "cwd");
    Path given = writeConfig(root.resolve("given"), "given");
    ResolvedWorkspace found = locator().locate(new WorkspaceRequest(null, given.toString(), null, null));
    assertEquals(Workspace.of("sub-given", "rg-given", "given"), found.workspace());
    assertNotNull(found.config());
    assertEquals(given, found.config().source());
    assertTrue(found.foundBy().contains(given.toString()), found.foundBy());
  }

  @Test
  void givenConfigPathThatIsMissingFailsNamingIt() throws IOException {
    env.putAll(ARM_ENV);
    writeConfig(workingDir, "cwd");
    Path missing = root.resolve("missing.json");
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> locator().locate(new WorkspaceRequest(null, missing.toString(), null, null)));
    assertTrue(e.getMessage().contains(missing.toAbsolutePath().toString()), e.getMessage());
  }

  @Test
  void azuremlJobEnvironmentBeatsConfigJsonAndHiml() throws IOException {
    env.putAll(ARM_ENV);
    env.putAll(HIML_ENV);
    writeConfig(workingDir, "cwd");
    ResolvedWorkspace found = locator().locate(WorkspaceRequest.discover());
    assertEquals(Workspace.of("arm-sub", "arm-rg", "arm-ws"), found.workspace());
    assertNull(found.config());
  }

  @Test
  void aConfigForTheJobsOwnWorkspaceStillContributesItsEndpoints() throws IOException {
    env.putAll(ARM_ENV);
    Files.writeString(workingDir.resolve("config.json"), "{\"subscription_id\": \"arm-sub\", "
        + "\"resource_group\": \"arm-rg\", \"workspace_name\": \"arm-ws\", "
        + "\"arm_endpoint\": \"https://management.chinacloudapi.cn\"}");
    ResolvedWorkspace found = locator().locate(WorkspaceRequest.discover());
    assertEquals("the Azure ML job's environment", found.foundBy());
    assertEquals("https://management.chinacloudapi.cn", found.armEndpoint());
  }

  @Test
  void incompleteJobEnvironmentIsIgnored() throws IOException {
    env.put("AZUREML_ARM_SUBSCRIPTION", "arm-sub");
    env.put("AZUREML_ARM_RESOURCEGROUP", "arm-rg");
    env.put("AZUREML_ARM_WORKSPACE_NAME", " ");
    writeConfig(workingDir, "cwd");
    assertEquals("cwd", locator().locate(WorkspaceRequest.discover()).workspace().name());
  }

  @Test
  void configJsonInTheWorkingDirectory() throws IOException {
    env.putAll(HIML_ENV);
    Path file = writeConfig(workingDir, "cwd");
    ResolvedWorkspace found = locator().locate(WorkspaceRequest.discover());
    assertEquals(Workspace.of("sub-cwd", "rg-cwd", "cwd"), found.workspace());
    assertEquals(file, found.config().source());
  }

  @Test
  void configJsonInAParentFolder() throws IOException {
    env.putAll(HIML_ENV);
    Path file = writeConfig(root.resolve("a"), "parent");
    ResolvedWorkspace found = locator().locate(WorkspaceRequest.discover());
    assertEquals("parent", found.workspace().name());
    assertEquals(file, found.config().source());
  }

  @Test
  void configJsonInDotAzuremlOfAParent() throws IOException {
    env.putAll(HIML_ENV);
    writeConfig(root.resolve("a").resolve(".azureml"), "dotazureml");
    assertEquals("dotazureml", locator().locate(WorkspaceRequest.discover()).workspace().name());
  }

  @Test
  void configJsonInDotAzuremlOfTheWorkingDirectory() throws IOException {
    writeConfig(workingDir.resolve(".azureml"), "dotazureml");
    assertEquals("dotazureml", locator().locate(WorkspaceRequest.discover()).workspace().name());
  }

  @Test
  void configJsonInAmlConfig() throws IOException {
    writeConfig(root.resolve("aml_config"), "amlconfig");
    assertEquals("amlconfig", locator().locate(WorkspaceRequest.discover()).workspace().name());
  }

  @Test
  void nearestFolderWinsAndPlainConfigJsonBeatsDotAzureml() throws IOException {
    writeConfig(root, "far");
    writeConfig(workingDir.getParent(), "near");
    writeConfig(workingDir.getParent().resolve(".azureml"), "near-dot");
    assertEquals("near", locator().locate(WorkspaceRequest.discover()).workspace().name());

    writeConfig(workingDir.resolve(".azureml"), "here-dot");
    assertEquals("here-dot", locator().locate(WorkspaceRequest.discover()).workspace().name());
  }

  @Test
  void aFolderNamedConfigJsonIsNotAConfig() throws IOException {
    Files.createDirectories(workingDir.resolve("config.json"));
    writeConfig(root, "real");
    assertEquals("real", locator().locate(WorkspaceRequest.discover()).workspace().name());
  }

  @Test
  void himlEnvironmentIsTheLastResort() {
    env.putAll(HIML_ENV);
    ResolvedWorkspace found = locator().locate(WorkspaceRequest.discover());
    assertEquals(Workspace.of("himl-sub", "himl-rg", "himl-ws"), found.workspace());
    assertNull(found.config());
  }

  @Test
  void nothingFoundNamesEveryPlaceTried() {
    env.put("HIML_SUBSCRIPTION_ID", "only-one");
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> locator().locate(WorkspaceRequest.discover()));
    String m = e.getMessage();
    for (String expected : new String[] {"AZUREML_ARM_SUBSCRIPTION", "AZUREML_ARM_RESOURCEGROUP",
        "AZUREML_ARM_WORKSPACE_NAME", "config.json", ".azureml", workingDir.toString(),
        "HIML_SUBSCRIPTION_ID", "HIML_RESOURCE_GROUP", "HIML_WORKSPACE_NAME", "workspaceConfig"}) {
      assertTrue(m.contains(expected), "missing " + expected + " in: " + m);
    }
    assertTrue(m.indexOf("AZUREML_ARM_SUBSCRIPTION") < m.indexOf("config.json")
        && m.indexOf("config.json") < m.indexOf("HIML_SUBSCRIPTION_ID"), "tried in discovery order: " + m);
  }
}
