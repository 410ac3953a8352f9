package io.github.amlspark.it;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.WorkspaceNotFoundException;
import io.github.amlspark.harness.Azurite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workspace and credential as reads and the Java API find them: read options, then
 * {@code spark.azureml.*} session entries, then discovery. (Each discovery step over the environment and
 * the folder tree is covered by WorkspaceLocatorTest, which drives the same locator with its own
 * environment.)
 */
class WorkspaceDiscoveryIT {
  @TempDir
  Path dir;
  private final SparkSession spark = TestEnvironment.spark();

  @AfterEach
  void clearSessionEntries() {
    spark.conf().unset("spark.azureml.workspaceConfig");
    spark.conf().unset("spark.azureml.credentialProvider");
  }

  private BlobContainerClient seeded() {
    BlobContainerClient c = TestEnvironment.newContainer("disc");
    TestEnvironment.put(c, "f.txt", "x".getBytes(StandardCharsets.UTF_8));
    return c;
  }

  @Test
  void aSessionEntryGivesTheWorkspaceConfigAndAnOptionBeatsIt() {
    BlobContainerClient c = seeded();
    Path config = TestEnvironment.workspaceConfig(dir.resolve("a"), "ds", c);
    spark.conf().set("spark.azureml.workspaceConfig", config.toString());

    assertEquals(1, spark.read().format("azureml").option("datastore", "ds").load().count());
    assertEquals(1, AzureMLFiles.builder().spark(spark).build()
        .downloadFromDatastore("ds", "", dir.resolve("out").toString()).transferred());

    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class, () -> spark.read()
        .format("azureml").option("workspaceConfig", dir.resolve("missing.json").toString())
        .option("datastore", "ds").load().count());
    assertTrue(e.getMessage().contains("missing.json"), e.getMessage());
  }

  @Test
  void workspaceOptionsWithAConfigForTheSameWorkspaceUseItsEndpointsAndTheSessionsCredentialProvider() {
    BlobContainerClient c = seeded();
    try (ArmStub arm = new ArmStub()) {
      String ds = "optds" + UUID.randomUUID().toString().substring(0, 8);
      arm.datastore(ds, "AzureBlob", "devstoreaccount1", c.getBlobContainerName(), "AccountKey",
          "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}");
      spark.conf().set("spark.azureml.credentialProvider", StaticTokenCredential.class.getName());

      long rows = spark.read().format("azureml")
          .option("subscriptionId", ArmStub.WORKSPACE.subscriptionId())
          .option("resourceGroup", ArmStub.WORKSPACE.resourceGroup())
          .option("workspaceName", ArmStub.WORKSPACE.name())
          .option("workspaceConfig", arm.workspaceConfig(dir.resolve("cfg")).toString())
          .option("datastore", ds).load().count();

      assertEquals(1, rows);
      arm.server().verify(1, getRequestedFor(urlPathEqualTo(ArmStub.datastorePath(ds)))
          .withHeader("Authorization", equalTo("Bearer " + StaticTokenCredential.TOKEN)));
    }
  }

  /** Environment variables that would change discovery, removed so that each run sees only its own. */
  private static Map<String, String> cleanEnv() {
    Map<String, String> env = new HashMap<>();
    for (String v : List.of("AZUREML_ARM_SUBSCRIPTION", "AZUREML_ARM_RESOURCEGROUP", "AZUREML_ARM_WORKSPACE_NAME",
        "HIML_SUBSCRIPTION_ID", "HIML_RESOURCE_GROUP", "HIML_WORKSPACE_NAME", "HIML_SERVICE_PRINCIPAL_ID",
        "HIML_TENANT_ID", "HIML_SERVICE_PRINCIPAL_PASSWORD")) {
      env.put(v, null);
    }
    return env;
  }

  @Test
  void aProcessFindsTheConfigInAParentsAzuremlFolderAndTheJobsEnvironmentNamesTheWorkspace() throws Exception {
    BlobContainerClient c = seeded();
    try (ArmStub arm = new ArmStub()) {
      String ds = "cwdds" + UUID.randomUUID().toString().substring(0, 8);
      arm.datastore(ds, "AzureBlob", "devstoreaccount1", c.getBlobContainerName(), "AccountKey",
          "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}");
      Path project = dir.resolve("project");
      arm.workspaceConfig(project.resolve(".azureml"));
      Path sub = Files.createDirectories(project.resolve("src/deep"));
      Map<String, String> env = cleanEnv();
      // Spark reads spark.* system properties into its conf: the session entry names the credential.
      env.put("JDK_JAVA_OPTIONS", "-Dspark.azureml.credentialProvider=" + StaticTokenCredential.class.getName());

      CliProcess.Result fromParent = CliProcess.run(sub, env, "ls", "--datastore", ds, "--master", "local[1]",
          "--prefix", "f");
      assertEquals(0, fromParent.exit(), fromParent.err());
      assertTrue(fromParent.out().contains("f.txt"), fromParent.out());

      env.put("AZUREML_ARM_SUBSCRIPTION", ArmStub.WORKSPACE.subscriptionId());
      env.put("AZUREML_ARM_RESOURCEGROUP", ArmStub.WORKSPACE.resourceGroup());
      env.put("AZUREML_ARM_WORKSPACE_NAME", ArmStub.WORKSPACE.name());
      CliProcess.Result inJob = CliProcess.run(sub, env, "ls", "--datastore", ds, "--master", "local[1]");
      assertEquals(0, inJob.exit(), inJob.err());
      assertTrue(inJob.out().contains("f.txt"), inJob.out());
    }
  }

  @Test
  void aProcessThatFindsNoWorkspaceNamesEveryPlaceItTried() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("nowhere"));
    CliProcess.Result r = CliProcess.run(empty, cleanEnv(), "ls", "--datastore", "ds");
    assertEquals(1, r.exit(), r.err());
    String reason = r.err().lines().filter(l -> l.startsWith("amlspark: ")).findFirst().orElseThrow();
    for (String place : List.of("AZUREML_ARM_SUBSCRIPTION", "config.json", "nowhere", "HIML_SUBSCRIPTION_ID",
        "workspaceConfig")) {
      assertTrue(reason.contains(place), place + " in " + reason);
    }
  }

  @Test
  void partialWorkspaceOptionsSayAllThreeAreNeeded() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spark.read()
        .format("azureml").option("subscriptionId", "s").option("datastore", "ds").load().count());
    assertTrue(e.getMessage().contains("'subscriptionId', 'resourceGroup' and 'workspaceName'"), e.getMessage());
  }
}
