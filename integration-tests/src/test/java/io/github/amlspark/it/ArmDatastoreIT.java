package io.github.amlspark.it;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.TokenCredential;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.amlspark.AzureMLException;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.DatastoreNotFoundException;
import io.github.amlspark.TransferReport;
import io.github.amlspark.harness.Azurite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * Datastores that are not inline come from Azure Resource Manager (a WireMock stub serving its real JSON
 * shapes), and their storage is Azurite, mapped through {@code storage_endpoints}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArmDatastoreIT {
  private static final String ACCOUNT = "devstoreaccount1";
  private static final String AUTH = "Bearer " + StaticTokenCredential.TOKEN;

  @TempDir
  Path dir;
  ArmStub arm;
  WireMockServer server;
  Path config;

  @BeforeAll
  void startArm() {
    arm = new ArmStub();
    server = arm.server();
  }

  @AfterAll
  void stopArm() {
    arm.close();
  }

  private AzureMLFiles files(Path configFile) {
    return AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(configFile.toString())
        .credential(new StaticTokenCredential()).build();
  }

  /** A fresh container holding {@code a/1.txt}; datastore names are unique so the driver's cache is cold. */
  private BlobContainerClient seeded() {
    BlobContainerClient c = TestEnvironment.newContainer("arm");
    TestEnvironment.put(c, "a/1.txt", "one".getBytes(StandardCharsets.UTF_8));
    return c;
  }

  private static String unique(String hint) {
    return hint + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void anAccountKeyDatastoreIsResolvedOnceAndServesDownloadsReadsAndUploads() throws Exception {
    BlobContainerClient c = seeded();
    String ds = unique("keyds");
    arm.datastore(ds, "AzureBlob", ACCOUNT, c.getBlobContainerName(), "AccountKey",
        "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}");
    AzureMLFiles files = files(arm.workspaceConfig(dir.resolve("cfg")));

    TransferReport down = files.downloadFromDatastore(ds, "a", dir.resolve("out").toString());
    assertEquals(1, down.transferred());
    assertEquals("one", Files.readString(dir.resolve("out/a/1.txt")));
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("up.txt"), "up");
    assertEquals(1, files.uploadToDatastore(ds, src.toString(), "b").transferred());
    assertEquals("up", c.getBlobClient("b/up.txt").downloadContent().toString());
    // One lookup serves both operations of this driver.
    server.verify(1, getRequestedFor(urlPathEqualTo(ArmStub.datastorePath(ds))));
    server.verify(1, postRequestedFor(urlPathEqualTo(ArmStub.datastorePath(ds) + "/listSecrets")));
    // Another credential is another cache entry: what one identity may see is not lent to another.
    List<Row> rows = TestEnvironment.spark().read().format("azureml")
        .option("workspaceConfig", arm.workspaceConfig(dir.resolve("cfg")).toString())
        .option("credentialProvider", StaticTokenCredential.class.getName())
        .option("datastore", ds).load().select("path").collectAsList();
    assertEquals(2, rows.size());

    server.verify(getRequestedFor(urlPathEqualTo(ArmStub.datastorePath(ds))).withHeader("Authorization", equalTo(AUTH)));
    server.verify(2, getRequestedFor(urlPathEqualTo(ArmStub.datastorePath(ds))));
    server.verify(getRequestedFor(urlPathEqualTo(ArmStub.datastorePath(ds)))
        .withQueryParam("api-version", equalTo("2024-10-01")));
  }

  @Test
  void aSasDatastoreHandsItsOwnSasToTheExecutors() throws Exception {
    BlobContainerClient c = seeded();
    String sas = c.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
        new BlobContainerSasPermission().setReadPermission(true).setListPermission(true)));
    String ds = unique("sasds");
    arm.datastore(ds, "AzureBlob", ACCOUNT, c.getBlobContainerName(), "Sas",
        "{\"secretsType\": \"Sas\", \"sasToken\": \"?" + sas + "\"}");

    TransferReport report = files(arm.workspaceConfig(dir.resolve("cfg")))
        .downloadFromDatastore(ds, "", dir.resolve("sas-out").toString());

    assertEquals(1, report.transferred());
    assertEquals("one", Files.readString(dir.resolve("sas-out/a/1.txt")));
  }

  @Test
  void anAdlsGen2DatastoreIsReachedThroughItsBlobEndpoint() throws Exception {
    BlobContainerClient c = seeded();
    String ds = unique("adls");
    arm.datastore(ds, "AzureDataLakeGen2", ACCOUNT, c.getBlobContainerName(), "AccountKey",
        "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}");

    TransferReport report = files(arm.workspaceConfig(dir.resolve("cfg")))
        .downloadFromDatastore(ds, "a/", dir.resolve("adls-out").toString());

    assertEquals(1, report.transferred());
  }

  @Test
  void unsupportedTypesAndCredentialsSaySo() {
    String file = unique("files");
    server.stubFor(ArmStub.getDatastore(file).willReturn(okJson(ArmStub.datastoreJson(file, "AzureFile",
        "\"fileShareName\": \"share\"", ACCOUNT, "{\"credentialsType\": \"AccountKey\"}"))));
    String cert = unique("cert");
    arm.datastore(cert, "AzureBlob", ACCOUNT, "c", "Certificate", null);
    AzureMLFiles files = files(arm.workspaceConfig(dir.resolve("cfg")));

    AzureMLException type = assertThrows(AzureMLException.class,
        () -> files.downloadFromDatastore(file, "", dir.resolve("x").toString()));
    assertTrue(type.getMessage().contains("AzureFile") && type.getMessage().contains("not support"),
        type.getMessage());
    AzureMLException credentials = assertThrows(AzureMLException.class,
        () -> files.downloadFromDatastore(cert, "", dir.resolve("x").toString()));
    assertTrue(credentials.getMessage().contains("Certificate") && credentials.getMessage().contains("not support"),
        credentials.getMessage());
  }

  /**
   * ARM pages its lists: the names in the message come from every page, through nextLink, but a nextLink
   * to another host is not followed (the request would carry the token there).
   */
  @Test
  void anUnknownDatastoreNamesTheOnesOnEveryPageButNeverFollowsALinkToAnotherHost() {
    String missing = unique("nosuch");
    String list = ArmStub.workspacePath() + "/datastores";
    WireMockServer elsewhere = new WireMockServer(com.github.tomakehurst.wiremock.core.WireMockConfiguration.options()
        .bindAddress("127.0.0.1").dynamicPort());
    elsewhere.start();
    try {
      elsewhere.stubFor(get(urlPathEqualTo(list)).willReturn(okJson("{\"value\": []}")));
      server.stubFor(ArmStub.getDatastore(missing).willReturn(ArmStub.error(404, "UserError",
          "Could not find datastore " + missing + ".")));
      server.stubFor(get(urlPathEqualTo(list)).withQueryParam("$skipToken", absent()).willReturn(okJson(
          "{\"value\": [" + ArmStub.datastoreJson("firstpage", "AzureBlob", "\"containerName\": \"c\"",
              ACCOUNT, "{\"credentialsType\": \"AccountKey\"}") + "], \"nextLink\": \"" + arm.endpoint() + list
              + "?api-version=2024-10-01&$skipToken=p2\"}")));
      server.stubFor(get(urlPathEqualTo(list)).withQueryParam("$skipToken", equalTo("p2")).willReturn(okJson(
          "{\"value\": [" + ArmStub.datastoreJson("secondpage", "AzureBlob", "\"containerName\": \"c\"",
              ACCOUNT, "{\"credentialsType\": \"AccountKey\"}") + "], \"nextLink\": \"http://127.0.0.1:"
              + elsewhere.port() + list + "?api-version=2024-10-01&$skipToken=p3\"}")));

      DatastoreNotFoundException e = assertThrows(DatastoreNotFoundException.class,
          () -> files(arm.workspaceConfig(dir.resolve("cfg"))).downloadFromDatastore(missing, "",
              dir.resolve("x").toString()));

      assertTrue(e.getMessage().contains("firstpage, secondpage"), e.getMessage());
      assertEquals(0, elsewhere.getAllServeEvents().size(), "no request to another host");
    } finally {
      elsewhere.stop();
    }
  }

  @Test
  void anUnknownDatastoreNamesTheOnesTheWorkspaceHas() {
    String missing = unique("nosuch");
    server.stubFor(ArmStub.getDatastore(missing).willReturn(ArmStub.error(404, "UserError",
        "Could not find datastore " + missing + ".")));
    server.stubFor(get(urlPathEqualTo(ArmStub.workspacePath() + "/datastores")).willReturn(okJson(
        "{\"value\": [" + ArmStub.datastoreJson("workspaceblobstore", "AzureBlob", "\"containerName\": \"c\"",
            ACCOUNT, "{\"credentialsType\": \"AccountKey\"}") + ", "
            + ArmStub.datastoreJson("workspaceartifactstore", "AzureBlob", "\"containerName\": \"azureml\"",
            ACCOUNT, "{\"credentialsType\": \"AccountKey\"}") + "]}")));

    DatastoreNotFoundException e = assertThrows(DatastoreNotFoundException.class,
        () -> files(arm.workspaceConfig(dir.resolve("cfg"))).downloadFromDatastore(missing, "",
            dir.resolve("x").toString()));

    assertTrue(e.getMessage().contains("'" + missing + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("workspaceblobstore, workspaceartifactstore"), e.getMessage());
    assertTrue(e.getMessage().contains(ArmStub.WORKSPACE.name()), e.getMessage());
  }

  @Test
  void forbiddenSaysWhichRoleIsMissing() {
    String ds = unique("forbidden");
    server.stubFor(ArmStub.getDatastore(ds).willReturn(ArmStub.error(403, "AuthorizationFailed",
        "The client does not have authorization to perform action.")));

    AzureMLException e = assertThrows(AzureMLException.class, () -> files(arm.workspaceConfig(dir.resolve("cfg")))
        .downloadFromDatastore(ds, "", dir.resolve("x").toString()));

    assertTrue(e.getMessage().contains("403") && e.getMessage().contains("AuthorizationFailed"), e.getMessage());
    assertTrue(e.getMessage().contains("AzureML Data Scientist"), e.getMessage());
    assertFalse(e.getMessage().contains(StaticTokenCredential.TOKEN), e.getMessage());
  }

  @Test
  void throttlingIsRetriedAfterRetryAfterAndServerErrorsAreRetried() throws Exception {
    BlobContainerClient c = seeded();
    String ds = unique("flaky");
    String secrets = "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}";
    arm.datastore(ds, "AzureBlob", ACCOUNT, c.getBlobContainerName(), "AccountKey", secrets);
    server.stubFor(ArmStub.getDatastore(ds).inScenario(ds).whenScenarioStateIs(STARTED)
        .willReturn(ArmStub.error(429, "TooManyRequests", "Throttled.").withHeader("Retry-After", "1"))
        .willSetStateTo("throttled"));
    server.stubFor(ArmStub.getDatastore(ds).inScenario(ds).whenScenarioStateIs("throttled")
        .willReturn(ArmStub.error(503, "ServiceUnavailable", "Try again.")).willSetStateTo("recovered"));
    server.stubFor(ArmStub.getDatastore(ds).inScenario(ds).whenScenarioStateIs("recovered")
        .willReturn(okJson(ArmStub.datastoreJson(ds, "AzureBlob", "\"containerName\": \""
            + c.getBlobContainerName() + "\"", ACCOUNT, "{\"credentialsType\": \"AccountKey\"}"))));

    long start = System.nanoTime();
    TransferReport report = files(arm.workspaceConfig(dir.resolve("cfg")))
        .downloadFromDatastore(ds, "", dir.resolve("flaky-out").toString());

    assertEquals(1, report.transferred());
    server.verify(3, getRequestedFor(urlPathEqualTo(ArmStub.datastorePath(ds))));
    assertTrue(System.nanoTime() - start >= 1_000_000_000L, "waited for Retry-After");
  }

  @Test
  void persistentServerErrorsFailWithTheStatusAfterRetries() {
    String ds = unique("down");
    server.stubFor(ArmStub.getDatastore(ds).willReturn(ArmStub.error(500, "InternalServerError", "Boom.")));

    AzureMLException e = assertThrows(AzureMLException.class, () -> files(arm.workspaceConfig(dir.resolve("cfg")))
        .downloadFromDatastore(ds, "", dir.resolve("x").toString()));

    assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
    assertTrue(e.getMessage().contains("after retries"), e.getMessage());
    server.verify(5, getRequestedFor(urlPathEqualTo(ArmStub.datastorePath(ds))));
  }

  @Test
  void aCredentialThatCannotGetATokenIsNamedInTheError() {
    String ds = unique("notoken");
    arm.datastore(ds, "AzureBlob", ACCOUNT, "c", "AccountKey", "{}");
    TokenCredential broken = request -> Mono.error(new IllegalStateException("no sign-in available"));
    AzureMLFiles files = AzureMLFiles.builder().spark(TestEnvironment.spark())
        .workspaceConfig(arm.workspaceConfig(dir.resolve("cfg")).toString()).credential(broken).build();

    AzureMLException e = assertThrows(AzureMLException.class,
        () -> files.downloadFromDatastore(ds, "", dir.resolve("x").toString()));

    assertTrue(e.getMessage().contains("Could not get a token"), e.getMessage());
    assertTrue(e.getMessage().contains("AzureMLFiles.builder().credential"), e.getMessage());
    assertTrue(e.getMessage().contains("no sign-in available"), e.getMessage());
    server.verify(0, getRequestedFor(urlPathEqualTo(ArmStub.datastorePath(ds))));
  }

  @Test
  void anIdentityBasedDatastoreNeedsAnHttpsEndpoint() {
    String ds = unique("identity");
    arm.datastore(ds, "AzureBlob", ACCOUNT, "c", "None", null);

    AzureMLException e = assertThrows(AzureMLException.class, () -> files(arm.workspaceConfig(dir.resolve("cfg")))
        .downloadFromDatastore(ds, "", dir.resolve("x").toString()));

    assertTrue(e.getMessage().contains("https://"), e.getMessage());
    server.verify(0, postRequestedFor(urlPathEqualTo(ArmStub.datastorePath(ds) + "/listSecrets")));
  }

  @Test
  void anOfflineConfigNeverCallsArm() throws Exception {
    Path offline = Files.writeString(Files.createDirectories(dir.resolve("off")).resolve("config.json"),
        Files.readString(arm.workspaceConfig(dir.resolve("cfg"))).replace("{\"subscription_id\"",
            "{\"offline\": true, \"subscription_id\""));
    String ds = unique("offline");

    DatastoreNotFoundException e = assertThrows(DatastoreNotFoundException.class,
        () -> files(offline).downloadFromDatastore(ds, "", dir.resolve("x").toString()));

    assertTrue(e.getMessage().contains("offline"), e.getMessage());
    server.verify(0, getRequestedFor(urlPathEqualTo(ArmStub.datastorePath(ds))));
  }

  @Test
  void theStubReceivesTheDatastoreLookupWithTheBuildersCredential() {
    byte[] expected = "one".getBytes(StandardCharsets.UTF_8);
    BlobContainerClient c = seeded();
    String ds = unique("content");
    arm.datastore(ds, "AzureBlob", ACCOUNT, c.getBlobContainerName(), "AccountKey",
        "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}");
    Row row = TestEnvironment.spark().read().format("azureml")
        .option("workspaceConfig", arm.workspaceConfig(dir.resolve("cfg")).toString())
        .option("credentialProvider", StaticTokenCredential.class.getName())
        .load("azureml://datastores/" + ds + "/paths/a").select("content").first();
    assertArrayEquals(expected, row.getAs("content"));
    server.verify(getRequestedFor(urlPathEqualTo(ArmStub.datastorePath(ds))).withHeader("Authorization", equalTo(AUTH)));
  }
}
