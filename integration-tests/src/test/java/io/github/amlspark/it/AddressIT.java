package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.AddressNotFoundException;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.RunNotFoundException;
import io.github.amlspark.TransferReport;
import io.github.amlspark.harness.Azurite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Azure ML v2 addresses end to end: job outputs and data assets resolved through the ARM stub's real JSON
 * shapes, their files read and downloaded from Azurite, through {@code load()}, the Java API and the
 * command line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AddressIT {
  private static final String ACCOUNT = "devstoreaccount1";
  private static final String SECRETS = "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}";
  private static final String LONG_WS = "azureml://subscriptions/" + ArmStub.WORKSPACE.subscriptionId()
      + "/resourceGroups/" + ArmStub.WORKSPACE.resourceGroup() + "/providers/Microsoft.MachineLearningServices/"
      + "workspaces/" + ArmStub.WORKSPACE.name();

  @TempDir
  static Path dir;
  ArmStub arm;
  Path config;
  AzureMLFiles files;

  @BeforeAll
  void setUp() {
    arm = new ArmStub();
    BlobContainerClient lake = TestEnvironment.newContainer("lake");
    BlobContainerClient main = TestEnvironment.newContainer("main");
    BlobContainerClient artifacts = TestEnvironment.newContainer("azureml");
    arm.datastore("lake", "AzureBlob", ACCOUNT, lake.getBlobContainerName(), "AccountKey", SECRETS);
    arm.datastore("mainstore", "AzureBlob", ACCOUNT, main.getBlobContainerName(), "AccountKey", SECRETS);
    arm.defaultDatastore("mainstore", ACCOUNT, main.getBlobContainerName());
    arm.datastore("workspaceartifactstore", "AzureBlob", ACCOUNT, artifacts.getBlobContainerName(), "AccountKey",
        SECRETS);
    arm.job("train_1", "exp", "Completed", "{"
        + "\"model\": " + ArmStub.output("mlflow_model", LONG_WS + "/datastores/lake/paths/models/train_1") + ", "
        + "\"metrics\": " + ArmStub.output("uri_folder", null) + ", "
        + "\"score\": " + ArmStub.output("uri_file", "azureml://datastores/lake/paths/scores/s.json") + "}");
    put(lake, "models/train_1/MLmodel", "flavors");
    put(lake, "models/train_1/cfg/c.json", "{}");
    put(lake, "models/train_10/other.bin", "not this job's");
    put(lake, "scores/s.json", "0.93");
    put(lake, "scores/s.json.bak", "not the file");
    put(main, "azureml/train_1/metrics/m.json", "{\"acc\": 0.9}");
    put(artifacts, "ExperimentRun/dcid.train_1/outputs/x.txt", "x");
    put(lake, "iris/v1/a.csv", "1,2");
    put(lake, "iris/v2/a.csv", "3,4");
    put(lake, "iris/v2/b.csv", "5,6");
    put(lake, "iris/v20/x.csv", "a sibling folder");
    LinkedHashMap<String, String> versions = new LinkedHashMap<>();
    versions.put("1", LONG_WS + "/datastores/lake/paths/iris/v1/");
    versions.put("2", "azureml://datastores/lake/paths/iris/v2");
    arm.dataAsset("iris", "uri_folder", versions);
    arm.dataAsset("score", "uri_file", new LinkedHashMap<>(Map.of("1", "azureml://datastores/lake/paths/scores/s.json")));
    config = arm.workspaceConfig(dir.resolve("cfg"));
    files = AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(config.toString())
        .credential(new StaticTokenCredential()).build();
  }

  @AfterAll
  void tearDown() {
    arm.close();
  }

  private static void put(BlobContainerClient container, String name, String content) {
    TestEnvironment.put(container, name, content.getBytes(StandardCharsets.UTF_8));
  }

  private List<String> paths(String address) {
    return TestEnvironment.spark().read().format("azureml").option("workspaceConfig", config.toString())
        .option("credentialProvider", StaticTokenCredential.class.getName()).load(address)
        .select("path").orderBy("path").collectAsList().stream().map(r -> r.getString(0)).toList();
  }

  @Test
  void aNamedOutputIsReadAtItsUriAsAFolder() {
    assertEquals(List.of("models/train_1/MLmodel", "models/train_1/cfg/c.json"),
        paths("azureml://jobs/train_1/outputs/model/paths/"), "train_10 is another folder");
    assertEquals(List.of("models/train_1/cfg/c.json"), paths("azureml://jobs/train_1/outputs/model/paths/cfg/"));
    assertEquals(List.of("models/train_1/MLmodel"),
        paths(LONG_WS + "/jobs/train_1/outputs/model/paths/MLmodel"), "the long form names the same");
  }

  @Test
  void anOutputWithoutUriIsAtAzureMLsDefaultOnTheDefaultDatastore() {
    Row row = TestEnvironment.spark().read().format("azureml").option("workspaceConfig", config.toString())
        .option("credentialProvider", StaticTokenCredential.class.getName())
        .load("azureml://jobs/train_1/outputs/metrics/paths/").select("path", "content").first();
    assertEquals("azureml/train_1/metrics/m.json", row.getString(0));
    assertEquals("{\"acc\": 0.9}", new String((byte[]) row.get(1), StandardCharsets.UTF_8));
  }

  @Test
  void aUriFileOutputIsThatFileAlone() {
    assertEquals(List.of("scores/s.json"), paths("azureml://jobs/train_1/outputs/score/paths/"));
  }

  @Test
  void artifactsKeepTheirMeaning() throws Exception {
    TransferReport report = files.download("azureml://jobs/train_1/outputs/artifacts/paths/outputs/",
        dir.resolve("art").toString());
    assertEquals(1, report.transferred());
    assertEquals("x", Files.readString(dir.resolve("art/outputs/x.txt")), "run-relative, as for runs");
  }

  @Test
  void dataAssetsDownloadByVersionLatestAndLongForm() throws Exception {
    TransferReport v1 = files.download("azureml:iris:1", dir.resolve("v1").toString());
    assertEquals(1, v1.transferred());
    assertEquals("1,2", Files.readString(dir.resolve("v1/iris/v1/a.csv")));
    TransferReport latest = files.download("azureml:iris@latest", dir.resolve("latest").toString());
    assertEquals(List.of("iris/v2/a.csv", "iris/v2/b.csv"),
        latest.files().stream().map(f -> f.path()).sorted().collect(Collectors.toList()), "not iris/v20");
    assertEquals(List.of("iris/v1/a.csv"), paths(LONG_WS + "/data/iris/versions/1"));
    assertEquals(List.of("scores/s.json"), paths("azureml:score:1"), "a uri_file asset is its file alone");
  }

  @Test
  void anUnknownJobSaysHowToListJobs() {
    arm.notFound("jobs/ghost", "Job ghost not found.");
    RunNotFoundException e = assertThrows(RunNotFoundException.class,
        () -> files.download("azureml://jobs/ghost/outputs/model/paths/", dir.resolve("g").toString()));
    assertTrue(e.getMessage().contains("ghost") && e.getMessage().contains("az ml job list"), e.getMessage());
  }

  @Test
  void anUnknownOutputNamesTheJobsOutputs() {
    AddressNotFoundException e = assertThrows(AddressNotFoundException.class,
        () -> paths("azureml://jobs/train_1/outputs/modle/paths/"));
    assertTrue(e.getMessage().contains("'modle'") && e.getMessage().contains("model")
        && e.getMessage().contains("metrics") && e.getMessage().contains("score"), e.getMessage());
  }

  @Test
  void anUnknownAssetNamesTheKnownOnes() {
    arm.notFound("data/irsi", "Not found.");
    AddressNotFoundException e = assertThrows(AddressNotFoundException.class,
        () -> files.download("azureml:irsi@latest", dir.resolve("u").toString()));
    assertTrue(e.getMessage().contains("'irsi'") && e.getMessage().contains("Known data assets: ")
        && e.getMessage().contains("score"), e.getMessage());
  }

  @Test
  void anUnknownVersionNamesTheAssetsVersions() {
    arm.notFound("data/iris/versions/9", "Not found.");
    AddressNotFoundException e = assertThrows(AddressNotFoundException.class, () -> paths("azureml:iris:9"));
    assertTrue(e.getMessage().contains("no version '9'") && e.getMessage().contains("Its versions: 1, 2"),
        e.getMessage());
  }

  @Test
  void theCommandLineDownloadsAndListsAnAddress() throws Exception {
    List<String> jvm = List.of("-Dspark.azureml.credentialProvider=" + StaticTokenCredential.class.getName());
    Path out = dir.resolve("cli");
    CliProcess.Result download = CliProcess.run(dir, Map.of(), jvm, "download", "azureml:iris:2", "--output",
        out.toString(), "--workspace-config", config.toString(), "--no-progress");
    assertEquals(0, download.exit(), download.err());
    assertTrue(download.out().contains("transferred=2"), download.out());
    assertEquals("5,6", Files.readString(out.resolve("iris/v2/b.csv")));
    CliProcess.Result ls = CliProcess.run(dir, Map.of(), jvm, "ls", "--address",
        "azureml://jobs/train_1/outputs/metrics/paths/", "--workspace-config", config.toString());
    assertEquals(0, ls.exit(), ls.err());
    assertTrue(ls.out().contains("azureml/train_1/metrics/m.json"), ls.out());
    assertFalse(ls.out().contains(StaticTokenCredential.TOKEN) || ls.err().contains(StaticTokenCredential.TOKEN));
  }
}
