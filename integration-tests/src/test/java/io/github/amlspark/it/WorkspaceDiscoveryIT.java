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

  @Test
  void partialWorkspaceOptionsSayAllThreeAreNeeded() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spark.read()
        .format("azureml").option("subscriptionId", "s").option("datastore", "ds").load().count());
    assertTrue(e.getMessage().contains("'subscriptionId', 'resourceGroup' and 'workspaceName'"), e.getMessage());
  }
}
