package io.github.amlspark.it;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.NoFilesFoundException;
import io.github.amlspark.RunNotFoundException;
import io.github.amlspark.TransferReport;
import io.github.amlspark.harness.Azurite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs of a workspace that is not offline: ARM's job lookup says whether the run exists and whether it is
 * still running; its files come from the artifact store ARM defines, on Azurite.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunArmIT {
  @TempDir
  static Path dir;
  ArmStub arm;
  BlobContainerClient artifacts;
  AzureMLFiles files;

  @BeforeAll
  void setUp() {
    arm = new ArmStub();
    artifacts = TestEnvironment.newContainer("azureml");
    arm.datastore("workspaceartifactstore", "AzureBlob", "devstoreaccount1", artifacts.getBlobContainerName(),
        "AccountKey", "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}");
    files = AzureMLFiles.builder().spark(TestEnvironment.spark())
        .workspaceConfig(arm.workspaceConfig(dir.resolve("cfg")).toString())
        .credential(new StaticTokenCredential()).build();
    arm.job("done_run", "exp", "Completed");
    TestEnvironment.put(artifacts, "ExperimentRun/dcid.done_run/outputs/x.txt", bytes("x"));
    TestEnvironment.put(artifacts, "ExperimentRun/dcid.done_run/outputs/checkpoints/last.ckpt", bytes("ckpt"));
    TestEnvironment.put(artifacts, "ExperimentRun/dcid.done_run/logs/std.txt", bytes("log"));
  }

  @AfterAll
  void tearDown() {
    arm.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRunsFilesLandRelativeToItsRootAndARecoveryIdWorks() throws Exception {
    TransferReport report = files.downloadFilesFromRunId("exp:done_run", dir.resolve("run").toString(),
        "outputs", false);
    assertEquals(2, report.transferred());
    assertEquals("x", Files.readString(dir.resolve("run/outputs/x.txt")));
    TransferReport ckpt = files.downloadCheckpointsFromRunId("done_run", dir.resolve("ck").toString());
    assertEquals(1, ckpt.transferred());
    assertTrue(ckpt.files().get(0).checksumVerified(), "checkpoints are checked");
    assertArrayEquals(bytes("ckpt"), Files.readAllBytes(dir.resolve("ck/outputs/checkpoints/last.ckpt")));
    arm.server().verify(getRequestedFor(urlPathEqualTo(ArmStub.workspacePath() + "/jobs/done_run")));
  }

  @Test
  void anUnknownRunIsRunNotFoundNamingTheWorkspace() {
    arm.server().stubFor(get(urlPathEqualTo(ArmStub.workspacePath() + "/jobs/ghost_run")).willReturn(
        ArmStub.error(404, "UserError", "Job ghost_run not found.")));
    RunNotFoundException e = assertThrows(RunNotFoundException.class,
        () -> files.downloadFilesFromRunId("ghost_run", dir.resolve("g").toString()));
    assertTrue(e.getMessage().contains("ghost_run") && e.getMessage().contains(ArmStub.WORKSPACE.name()),
        e.getMessage());
  }

  @Test
  void aKnownRunWithoutMatchingFilesIsNoFilesFound() {
    NoFilesFoundException e = assertThrows(NoFilesFoundException.class,
        () -> files.downloadFilesFromRunId("done_run", dir.resolve("n").toString(), "outputs/nothing", false));
    assertTrue(e.getMessage().contains("No files with prefix \"outputs/nothing\" were found for run with ID "
        + "done_run"), e.getMessage());
  }

  @Test
  void aRunningRunDownloadsWhatItHasWithAWarning() {
    arm.job("live_run", "exp", "Running");
    TestEnvironment.put(artifacts, "ExperimentRun/dcid.live_run/outputs/partial.txt", bytes("p"));
    List<String> warnings = new ArrayList<>();
    Logger logger = (Logger) LogManager.getLogger("io.github.amlspark.workspace.RunLookup");
    AbstractAppender appender = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        if (event.getLevel() == Level.WARN) {
          warnings.add(event.getMessage().getFormattedMessage());
        }
      }
    };
    appender.start();
    logger.addAppender(appender);
    try {
      TransferReport report = files.downloadFilesFromRunId("live_run", dir.resolve("live").toString());
      assertEquals(1, report.transferred());
    } finally {
      logger.removeAppender(appender);
    }
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("live_run") && warnings.get(0).contains("still Running"),
        warnings.get(0));
  }
}
