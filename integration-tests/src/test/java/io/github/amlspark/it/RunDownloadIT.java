package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.NoFilesFoundException;
import io.github.amlspark.RunNotFoundException;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run files on an inline (offline) workspace: the run's root in the workspace artifact store. */
class RunDownloadIT {
  @TempDir
  Path dir;
  BlobContainerClient container;
  AzureMLFiles files;

  @BeforeEach
  void setUp() {
    container = TestEnvironment.newContainer("azureml");
    Path config = TestEnvironment.workspaceConfig(dir, "workspaceartifactstore", container);
    files = AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(config.toString()).build();
    put("ExperimentRun/dcid.run_1/outputs/x.txt", "x");
    put("ExperimentRun/dcid.run_1/outputs/checkpoints/last.ckpt", "weights");
    put("ExperimentRun/dcid.run_1/logs/std.txt", "log");
    put("ExperimentRun/dcid.run_2/outputs/other.txt", "other run");
  }

  private void put(String name, String content) {
    TestEnvironment.put(container, name, content.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void pathsAreRelativeToTheRunRootAndRecoveryIdsWork() {
    Path out = dir.resolve("out");
    TransferReport report = files.downloadFilesFromRunId("my_experiment:run_1", out.toString());
    assertEquals(3, report.transferred());
    assertEquals("x", TestEnvironment.readString(out.resolve("outputs/x.txt")));
    assertTrue(Files.exists(out.resolve("logs/std.txt")));
    assertTrue(report.files().stream().map(FileTransfer::path).allMatch(p -> !p.startsWith("ExperimentRun")));

    TransferReport outputs = files.downloadFilesFromRunId("run_1", dir.resolve("o2").toString(), "outputs", true);
    assertEquals(2, outputs.transferred());
    assertTrue(outputs.files().stream().allMatch(FileTransfer::checksumVerified));
  }

  @Test
  void checkpointsComeFromOutputsCheckpointsWithChecksums() {
    Path out = dir.resolve("ckpt");
    TransferReport report = files.downloadCheckpointsFromRunId("run_1", out.toString());
    assertEquals(1, report.transferred());
    assertTrue(report.files().get(0).checksumVerified());
    assertArrayEquals("weights".getBytes(StandardCharsets.UTF_8),
        TestEnvironment.read(out.resolve("outputs/checkpoints/last.ckpt")));
    assertEquals(1, files.downloadCheckpointsFromRunId("run_1", dir.resolve("c2").toString(),
        TransferOptions.defaults()).transferred());
  }

  @Test
  void unknownRunsAndEmptyPrefixesSaySo() {
    RunNotFoundException unknown = assertThrows(RunNotFoundException.class,
        () -> files.downloadFilesFromRunId("run_404", dir.resolve("u").toString()));
    assertTrue(unknown.getMessage().contains("run_404"), unknown.getMessage());
    NoFilesFoundException none = assertThrows(NoFilesFoundException.class,
        () -> files.downloadFilesFromRunId("run_1", dir.resolve("n").toString(), "outputs/nothing", false));
    assertTrue(none.getMessage().contains("No files with prefix \"outputs/nothing\" were found for run with ID run_1"),
        none.getMessage());
  }
}
