package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code showProgress}: a progress bar on the driver's terminal, and silence without it.
 *
 * <p>The bar is written to the process's standard error file descriptor, not through {@code System.err}
 * (see the disabled test below), so what a real terminal shows is checked in a child JVM whose stderr
 * is captured; the child runs the same shaded jar against the same Azurite.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProgressIT {
  private static final String QUIET_DONE = "=== amlspark-it: quiet download done ===";
  private static final String PROGRESS_DONE = "=== amlspark-it: progress download done ===";
  private static final String SKIPPED_DONE = "=== amlspark-it: skipping download done ===";
  private static final String UPLOAD_DONE = "=== amlspark-it: upload done ===";
  private static final String TERMINAL_DONE = "=== amlspark-it: terminal download done ===";

  @TempDir
  static Path dir;
  BlobContainerClient container;
  Path config;
  AzureMLFiles files;
  private ChildRun childRun;

  @BeforeAll
  void seed() {
    container = TestEnvironment.newContainer("progress");
    config = TestEnvironment.workspaceConfig(dir.resolve("cfg"), "ds", container);
    files = AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(config.toString()).build();
    for (int i = 1; i <= 3; i++) {
      TestEnvironment.put(container, "p/" + i + ".bin", TestEnvironment.random(10_000 * i, i));
    }
    TestEnvironment.put(container, "other/x.txt", "x".getBytes(StandardCharsets.UTF_8));
  }

  // ----- in a child JVM: what the terminal shows -----

  /**
   * What the child printed.
   *
   * @param stdout its standard output
   * @param quiet its stderr during the download with showProgress=false
   * @param progress its stderr during the download with showProgress=true
   * @param skipping its stderr during the same download again (every file SKIPPED), showProgress=true
   * @param upload its stderr during the upload of the downloaded folder, showProgress=true
   * @param terminal its stderr during a download with the progress forced into terminal mode
   */
  private record ChildRun(String stdout, String quiet, String progress, String skipping, String upload,
      String terminal) {
  }

  /** Runs {@link Child} once per class: a quiet download, then one with the progress bar. */
  private synchronized ChildRun childRun() throws IOException, InterruptedException {
    if (childRun != null) {
      return childRun;
    }
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent") && !arg.startsWith("-Xrunjdwp")) {
        command.add(arg);
      }
    }
    command.addAll(List.of("-cp", classPath, Child.class.getName(), config.toString(), "p/",
        dir.resolve("child-quiet").toString(), dir.resolve("child-progress").toString()));
    Path out = dir.resolve("child.out");
    Path err = dir.resolve("child.err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not finish; stderr: " + Files.readString(err));
    }
    String stdout = Files.readString(out);
    String stderr = Files.readString(err);
    assertEquals(0, p.exitValue(), "child failed; stdout: " + stdout + "\nstderr: " + stderr);
    int quietEnd = stderr.indexOf(QUIET_DONE);
    int progressEnd = stderr.indexOf(PROGRESS_DONE);
    int skippedEnd = stderr.indexOf(SKIPPED_DONE);
    int uploadEnd = stderr.indexOf(UPLOAD_DONE);
    int terminalEnd = stderr.indexOf(TERMINAL_DONE);
    assertTrue(quietEnd >= 0 && progressEnd > quietEnd && skippedEnd > progressEnd && uploadEnd > skippedEnd
        && terminalEnd > uploadEnd,
        stderr);
    childRun = new ChildRun(stdout, stderr.substring(0, quietEnd),
        stderr.substring(quietEnd + QUIET_DONE.length(), progressEnd),
        stderr.substring(progressEnd + PROGRESS_DONE.length(), skippedEnd),
        stderr.substring(skippedEnd + SKIPPED_DONE.length(), uploadEnd),
        stderr.substring(uploadEnd + UPLOAD_DONE.length(), terminalEnd));
    return childRun;
  }

  @Test
  void showProgressPrintsABarWithTaskNameAndFileCountOnTheTerminal() throws Exception {
    ChildRun run = childRun();
    assertTrue(run.stdout().contains("quiet transferred=3"), run.stdout());
    assertTrue(run.stdout().contains("progress transferred=3"), run.stdout());
    assertArrayEquals(TestEnvironment.random(30_000, 3), TestEnvironment.read(dir.resolve("child-progress/p/3.bin")));
    assertTrue(run.progress().contains("Downloading"), "task name shown: " + run.progress());
    assertTrue(run.progress().contains("/3 files"), "file total shown: " + run.progress());
    assertTrue(run.progress().contains("3/3 files"), "all files counted once done: " + run.progress());
    assertFalse(run.progress().contains("/4 files"), "only the prefix's files count: " + run.progress());
    assertTrue(run.progress().contains("100%"), "the bar ends full: " + run.progress());
  }

  @Test
  void withoutShowProgressTheTerminalShowsNoBar() throws Exception {
    ChildRun run = childRun();
    assertTrue(run.stdout().contains("quiet transferred=3"), run.stdout());
    assertFalse(run.quiet().contains("Downloading"), run.quiet());
    assertFalse(run.quiet().contains(" files"), run.quiet());
    assertFalse(run.stdout().contains("Downloading"), run.stdout());
  }

  @Test
  void theFileCountIsSeparatedFromTheSpeed() throws Exception {
    String progress = childRun().progress();
    assertTrue(progress.contains(" 3/3 files"), progress);
  }

  @Test
  void aDownloadThatSkipsEverythingStillShowsItsBarAndCount() throws Exception {
    ChildRun run = childRun();
    assertTrue(run.stdout().contains("skipping skipped=3"), run.stdout());
    assertTrue(run.skipping().contains("Downloading"), run.skipping());
    assertTrue(run.skipping().contains("3/3 files"), "skipped files are done too: " + run.skipping());
  }

  @Test
  void aDownloadThatSkipsEverythingEndsAtOneHundredPercent() throws Exception {
    String skipping = childRun().skipping();
    String last = skipping.substring(skipping.lastIndexOf("Downloading"));
    assertTrue(last.contains("100%"), "the final render: " + last);
  }

  @Test
  void offATerminalProgressIsPlainLinesAndOnATerminalABarRedrawnInPlace() throws Exception {
    ChildRun run = childRun();
    // The child's stderr is a file: plain lines, each complete, no carriage returns.
    assertFalse(run.progress().contains("\r"), run.progress());
    assertTrue(run.progress().lines().anyMatch(l -> l.startsWith("Downloading: 100% (") && l.contains(" 3/3 files")
        && l.contains("MiB/s")), run.progress());
    // Forced into terminal mode: the bar library's in-place redraws.
    assertTrue(run.stdout().contains("terminal transferred=3"), run.stdout());
    assertTrue(run.terminal().contains("\r"), "redrawn in place: " + run.terminal());
    assertTrue(run.terminal().contains("Downloading 100%") && run.terminal().contains("3/3 files"),
        run.terminal());
    assertFalse(run.terminal().contains("Downloading: "), "no plain lines: " + run.terminal());
  }

  @Test
  void anUploadShowsItsBarWithFileCountAndEndsFull() throws Exception {
    ChildRun run = childRun();
    assertTrue(run.stdout().contains("upload transferred=3"), run.stdout());
    assertTrue(run.upload().contains("Uploading"), run.upload());
    assertTrue(run.upload().contains(" 3/3 files"), run.upload());
    String last = run.upload().substring(run.upload().lastIndexOf("Uploading"));
    assertTrue(last.contains("100%"), "the final render: " + last);
    assertFalse(run.upload().contains("Downloading"), run.upload());
  }

  /**
   * The child JVM: a quiet download, the same with the progress bar into another folder, then that one
   * again (every file skipped), then an upload of that folder with the progress bar.
   */
  static final class Child {
    private Child() {
    }

    public static void main(String[] args) {
      SparkSession spark = SparkSession.builder().master("local[2]").appName("amlspark-it-progress")
          .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate();
      try {
        AzureMLFiles files = AzureMLFiles.builder().spark(spark).workspaceConfig(args[0]).build();
        TransferReport quiet = files.downloadFromDatastore("ds", args[1], args[2], false, false);
        System.out.println("quiet transferred=" + quiet.transferred());
        System.out.flush();
        System.err.println(QUIET_DONE);
        System.err.flush();
        TransferReport progress = files.downloadFromDatastore("ds", args[1], args[3], false, true);
        System.out.println("progress transferred=" + progress.transferred());
        System.out.flush();
        System.err.println(PROGRESS_DONE);
        System.err.flush();
        TransferReport skipping = files.downloadFromDatastore("ds", args[1], args[3], false, true);
        System.out.println("skipping skipped=" + skipping.skipped());
        System.out.flush();
        System.err.println(SKIPPED_DONE);
        System.err.flush();
        TransferReport upload = files.uploadToDatastore("ds", args[3] + "/p", "uploaded", false, true);
        System.out.println("upload transferred=" + upload.transferred());
        System.out.flush();
        System.err.println(UPLOAD_DONE);
        System.err.flush();
        System.setProperty("amlspark.progress", "terminal");
        TransferReport terminal = files.downloadFromDatastore("ds", args[1], args[3] + "-terminal", false, true);
        System.out.println("terminal transferred=" + terminal.transferred());
        System.out.flush();
        System.err.println(TERMINAL_DONE);
        System.err.flush();
      } finally {
        spark.stop();
      }
      System.exit(0);
    }
  }

  // ----- in a child JVM: progress while a task is still running -----

  @Test
  void progressMovesWhileTheOnlyTaskIsStillRunning() throws Exception {
    BlobContainerClient slow = TestEnvironment.newContainer("live");
    int count = 16;
    for (int i = 0; i < count; i++) {
      TestEnvironment.put(slow, "live/" + i + ".bin", TestEnvironment.random(1000, i));
    }
    try (BlobProxy proxy = new BlobProxy(TestEnvironment.azurite().accountUrl())) {
      // 16 files one after another, each GET held 200 ms: the task runs over 3 s, many heartbeats long.
      proxy.delayBlobGets(200);
      Path liveConfig = TestEnvironment.workspaceConfig(dir.resolve("live-cfg"), "ds", slow,
          proxy.accountUrl(io.github.amlspark.harness.Azurite.ACCOUNT));
      List<String> command = CliProcess.java(List.of("-Damlspark.progress=plain",
          "-Damlspark.progress.intervalMillis=100"), LiveChild.class.getName());
      command.addAll(List.of(liveConfig.toString(), dir.resolve("live-out").toString()));
      Path err = dir.resolve("live.err");
      Process p = new ProcessBuilder(command).redirectOutput(dir.resolve("live.out").toFile())
          .redirectError(err.toFile()).start();
      assertTrue(p.waitFor(180, TimeUnit.SECONDS), "child finished");
      String stderr = Files.readString(err);
      assertEquals(0, p.exitValue(), stderr);
      // One task fetches the files one at a time: counts between none and all can only have come from
      // the running task's heartbeats.
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)/" + count + " files").matcher(stderr);
      List<Integer> seen = new ArrayList<>();
      while (m.find()) {
        seen.add(Integer.parseInt(m.group(1)));
      }
      // Several distinct counts while the task runs (one late heartbeat is not progress that moves), and
      // never backwards.
      List<Integer> whileRunning = seen.stream().filter(n -> n > 0 && n < count).distinct().toList();
      assertTrue(whileRunning.size() >= 3, "at least 3 distinct counts while the task ran: " + seen);
      for (int i = 1; i < seen.size(); i++) {
        assertTrue(seen.get(i) >= seen.get(i - 1), "the count never goes back: " + seen);
      }
      assertEquals(count, seen.get(seen.size() - 1), stderr);
    }
  }

  /** Downloads through one task with one request in flight, progress lines every 100 ms. */
  static final class LiveChild {
    private LiveChild() {
    }

    public static void main(String[] args) {
      SparkSession spark = SparkSession.builder().master("local[1]").appName("amlspark-it-live")
          .config("spark.ui.enabled", "false").config("spark.executor.heartbeatInterval", "200ms")
          .config("spark.azureml.transferConcurrency", "1").config("spark.azureml.maxPartitionBytes", "1000000000")
          .getOrCreate();
      try {
        TransferReport report = AzureMLFiles.builder().spark(spark).workspaceConfig(args[0]).build()
            .downloadFromDatastore("ds", "live/", args[1], false, true);
        System.out.println("live transferred=" + report.transferred());
      } finally {
        spark.stop();
      }
      System.exit(0);
    }
  }

  // ----- in this JVM: System.err and System.out -----

  /** What a call printed to System.out and System.err, restored afterwards. */
  private record Captured<T>(T result, String text) {
  }

  private static <T> Captured<T> capture(Supplier<T> call) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(ps);
    System.setErr(ps);
    T result;
    try {
      result = call.get();
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    ps.flush();
    return new Captured<>(result, buf.toString(StandardCharsets.UTF_8));
  }

  @Test
  void showProgressWritesTheBarThroughSystemErr() {
    Captured<TransferReport> c = capture(() -> files.downloadFromDatastore("ds", "p/",
        dir.resolve("in-jvm").toString(), false, true));
    assertEquals(3, c.result().transferred());
    assertTrue(c.text().contains("Downloading"), "task name shown: " + c.text());
    assertTrue(c.text().contains("3/3 files"), "file count shown: " + c.text());
  }

  @Test
  void showProgressThroughTransferOptionsStillDownloadsEverything() {
    TransferReport report = files.downloadFromDatastore("ds", "p/", dir.resolve("opts").toString(),
        TransferOptions.defaults().showProgress(true));
    assertEquals(3, report.transferred());
    assertArrayEquals(TestEnvironment.random(20_000, 2), TestEnvironment.read(dir.resolve("opts/p/2.bin")));
    // The bar is closed: a second one for the next download starts cleanly and skips everything.
    TransferReport again = files.downloadFromDatastore("ds", "p/", dir.resolve("opts").toString(),
        TransferOptions.defaults().showProgress(true));
    assertEquals(3, again.skipped());
  }

  @Test
  void withoutShowProgressNothingGoesToSystemOutOrErr() {
    Captured<TransferReport> quiet = capture(() -> files.downloadFromDatastore("ds", "p/",
        dir.resolve("q1").toString(), false, false));
    assertEquals(3, quiet.result().transferred());
    assertFalse(quiet.text().contains("Downloading"), quiet.text());
    assertFalse(quiet.text().contains(" files"), quiet.text());

    Captured<TransferReport> byDefault = capture(() -> files.downloadFromDatastore("ds", "p/",
        dir.resolve("q2").toString()));
    assertEquals(3, byDefault.result().transferred());
    assertFalse(byDefault.text().contains("Downloading"), byDefault.text());
  }
}
