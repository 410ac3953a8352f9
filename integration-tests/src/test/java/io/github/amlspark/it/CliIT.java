package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.harness.Azurite;
import io.github.amlspark.harness.LocalWorkspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run as a process (the shaded jar's main class) against Azurite. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliIT {
  @TempDir
  static Path dir;
  BlobContainerClient container;
  Path config;

  /** What a run of the command printed, and its exit code. */
  record Result(int exit, String out, String err) {
  }

  @BeforeAll
  void seed() {
    container = TestEnvironment.newContainer("cli");
    TestEnvironment.put(container, "ExperimentRun/dcid.cli_run/outputs/metrics.json", bytes("{\"acc\": 0.9}"));
    TestEnvironment.put(container, "ExperimentRun/dcid.cli_run/outputs/checkpoints/best.ckpt", bytes("weights"));
    TestEnvironment.put(container, "data/a.txt", bytes("alpha"));
    TestEnvironment.put(container, "data/sub/b.txt", bytes("beta"));
    String url = TestEnvironment.azurite().accountUrl();
    config = new LocalWorkspace()
        .withKeyDatastore("ds", url, container.getBlobContainerName(), Azurite.ACCOUNT_KEY)
        .withKeyDatastore("workspaceartifactstore", url, container.getBlobContainerName(), Azurite.ACCOUNT_KEY)
        .writeTo(dir.resolve("cfg/config.json"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Result run(String... args) throws IOException, InterruptedException {
    CliProcess.Result r = CliProcess.run(dir, Map.of(), args);
    return new Result(r.exit(), r.out(), r.err());
  }

  @Test
  void helpListsTheSubcommandsAndEachHasItsOwn() throws Exception {
    Result top = run("--help");
    assertEquals(0, top.exit(), top.err());
    for (String sub : List.of("download-run", "download-checkpoints", "download-datastore", "upload", "ls")) {
      assertTrue(top.out().contains(sub), top.out());
    }
    Result sub = run("download-run", "--help");
    assertEquals(0, sub.exit(), sub.err());
    for (String flag : List.of("--run-id", "--prefix", "--output", "--overwrite", "--[no-]validate-checksum",
        "--workspace-config", "--[no-]progress", "--master")) {
      assertTrue(sub.out().contains(flag), flag + " in " + sub.out());
    }
  }

  @Test
  void downloadRunAndCheckpointsLandRelativeToTheRunAndPrintASummary() throws Exception {
    Path out = dir.resolve("run-out");
    Result r = run("download-run", "--run-id", "cli_run", "--output", out.toString(), "--workspace-config",
        config.toString(), "--master", "local[2]");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("transferred=2 skipped=0 failed=0"), r.out());
    assertTrue(r.out().contains("throughput="), r.out());
    assertEquals("{\"acc\": 0.9}", Files.readString(out.resolve("outputs/metrics.json")));
    assertTrue(r.err().contains("Downloading: 100%"), "plain progress lines on stderr: " + r.err());

    Path ck = dir.resolve("ck-out");
    Result c = run("download-checkpoints", "--run-id", "exp:cli_run", "--output", ck.toString(),
        "--workspace-config", config.toString(), "--no-progress");
    assertEquals(0, c.exit(), c.err());
    assertTrue(c.out().contains("transferred=1"), c.out());
    assertEquals("weights", Files.readString(ck.resolve("outputs/checkpoints/best.ckpt")));
    assertFalse(c.err().contains("Downloading"), "--no-progress: " + c.err());
  }

  @Test
  void downloadDatastoreHonoursOverwriteAndUploadWritesBlobs() throws Exception {
    Path out = dir.resolve("ds-out");
    String[] download = {"download-datastore", "--datastore", "ds", "--prefix", "data/", "--output",
        out.toString(), "--workspace-config", config.toString(), "--no-progress"};
    Result first = run(download);
    assertEquals(0, first.exit(), first.err());
    assertTrue(first.out().contains("transferred=2"), first.out());
    assertEquals("beta", Files.readString(out.resolve("data/sub/b.txt")));
    Result again = run(download);
    assertTrue(again.out().contains("transferred=0 skipped=2"), "overwrite defaults to false: " + again.out());

    Path src = Files.createDirectories(dir.resolve("up/src"));
    Files.writeString(src.resolve("u.txt"), "uploaded");
    Result up = run("upload", "--datastore", "ds", "--source", src.toString(), "--remote-path", "from-cli",
        "--workspace-config", config.toString(), "--overwrite", "ifDifferent", "--validate-checksum");
    assertEquals(0, up.exit(), up.err());
    assertTrue(up.out().contains("transferred=1"), up.out());
    assertEquals("uploaded", container.getBlobClient("from-cli/u.txt").downloadContent().toString());
  }

  @Test
  void withoutAClusterNoSparkApplicationRunsAndTheSparkEngineRunsOne() throws Exception {
    Path events = Files.createDirectories(dir.resolve("events"));
    // One plain file per application on Spark 3.5 and 4.0 alike (4.0 rolls and compresses event logs by
    // default).
    List<String> eventLog = List.of("-Dspark.eventLog.enabled=true", "-Dspark.eventLog.rolling.enabled=false",
        "-Dspark.eventLog.compress=false", "-Dspark.eventLog.dir=" + events.toUri());
    Path plain = dir.resolve("no-spark");
    CliProcess.Result r = CliProcess.run(dir, Map.of(), eventLog, "download-datastore", "--datastore", "ds",
        "--prefix", "data/", "--output", plain.toString(), "--workspace-config", config.toString(), "--no-progress");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("transferred=2"), r.out());
    assertEquals("beta", Files.readString(plain.resolve("data/sub/b.txt")));
    try (var logs = Files.list(events)) {
      assertEquals(List.of(), logs.toList(), "no Spark application ran, so none logged its events");
    }

    Path job = dir.resolve("spark-job");
    List<String> sparkEngine = new java.util.ArrayList<>(eventLog);
    sparkEngine.add("-Dspark.azureml.transferEngine=spark");
    CliProcess.Result s = CliProcess.run(dir, Map.of(), sparkEngine, "download-datastore", "--datastore", "ds",
        "--prefix", "data/", "--output", job.toString(), "--workspace-config", config.toString(), "--no-progress");
    assertEquals(0, s.exit(), s.err());
    assertTrue(s.out().contains("transferred=2"), s.out());
    assertEquals("beta", Files.readString(job.resolve("data/sub/b.txt")));
    try (var logs = Files.list(events)) {
      List<Path> written = logs.toList();
      assertEquals(1, written.size(), "one Spark application: " + written);
      assertTrue(Files.readString(written.get(0)).contains("SparkListenerJobStart"), "it ran a job");
    }

    // Checked without a session too: a misspelt engine is an error, not a silent default.
    CliProcess.Result bad = CliProcess.run(dir, Map.of(), List.of("-Dspark.azureml.transferEngine=threads"),
        "download-datastore", "--datastore", "ds", "--prefix", "data/", "--output", dir.resolve("bad").toString(),
        "--workspace-config", config.toString(), "--no-progress");
    assertEquals(1, bad.exit(), bad.out() + bad.err());
    assertTrue(bad.err().contains("'spark.azureml.transferEngine' must be auto or spark, not 'threads'."), bad.err());
  }

  @Test
  void lsListsSizesAndMd5sOfADatastoreOrARun() throws Exception {
    Result ds = run("ls", "--datastore", "ds", "--prefix", "data/", "--workspace-config", config.toString());
    assertEquals(0, ds.exit(), ds.err());
    assertTrue(ds.out().matches("(?s).*\\s5\\s+[0-9a-f]{32}\\s+data/a\\.txt.*"), ds.out());
    assertTrue(ds.out().contains("2 files, 9 bytes"), ds.out());
    Result run = run("ls", "--run-id", "cli_run", "--workspace-config", config.toString());
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("outputs/checkpoints/best.ckpt"), run.out());
  }

  @Test
  void failuresExitNonZeroWithAOneLineReason() throws Exception {
    Result unknown = run("download-datastore", "--datastore", "nosuch", "--output", dir.resolve("x").toString(),
        "--workspace-config", config.toString());
    assertEquals(1, unknown.exit(), unknown.err());
    List<String> reason = unknown.err().lines().filter(l -> l.startsWith("amlspark: ")).toList();
    assertEquals(1, reason.size(), unknown.err());
    assertTrue(reason.get(0).contains("Datastore 'nosuch' was not found") && reason.get(0).contains("ds"),
        reason.get(0));

    Result usage = run("download-run", "--run-id", "cli_run");
    assertEquals(2, usage.exit(), usage.err());
    assertTrue(usage.err().contains("--output"), usage.err());

    Result both = run("ls", "--datastore", "ds", "--run-id", "r", "--workspace-config", config.toString());
    assertEquals(2, both.exit(), both.err());

    Result badValue = run("download-datastore", "--datastore", "ds", "--output", dir.resolve("y").toString(),
        "--overwrite", "sometimes");
    assertEquals(2, badValue.exit(), badValue.err());
    assertTrue(badValue.err().contains("sometimes") || badValue.err().contains("overwrite"), badValue.err());
  }
}
