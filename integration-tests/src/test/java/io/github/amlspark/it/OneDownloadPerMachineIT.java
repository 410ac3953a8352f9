package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferReport;
import io.github.amlspark.harness.Azurite;
import io.github.amlspark.harness.LocalWorkspace;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One download per machine: callers asking for the same run download into the same local folder share
 * one transfer, in one JVM (threads) and across JVMs, and a holder that dies is taken over.
 */
class OneDownloadPerMachineIT {
  private static final int FILES = 24;
  private static final String RUN = "shared_run";

  @TempDir
  Path dir;
  BlobProxy proxy;
  BlobContainerClient artifacts;
  Path config;

  @BeforeEach
  void setUp() throws IOException {
    artifacts = TestEnvironment.newContainer("azureml");
    for (int i = 0; i < FILES; i++) {
      TestEnvironment.put(artifacts, "ExperimentRun/dcid." + RUN + "/outputs/f" + i + ".bin", content(i));
    }
    proxy = new BlobProxy(TestEnvironment.azurite().accountUrl());
    config = new LocalWorkspace().withKeyDatastore("workspaceartifactstore", proxy.accountUrl(Azurite.ACCOUNT),
        artifacts.getBlobContainerName(), Azurite.ACCOUNT_KEY).writeTo(dir.resolve("cfg/config.json"));
  }

  @AfterEach
  void tearDown() {
    proxy.close();
  }

  private static byte[] content(int i) {
    byte[] b = new byte[64 * 1024 + i];
    new Random(i).nextBytes(b);
    return b;
  }

  private void assertComplete(Path out) throws IOException {
    for (int i = 0; i < FILES; i++) {
      assertArrayEquals(content(i), Files.readAllBytes(out.resolve("outputs/f" + i + ".bin")), "f" + i);
    }
    try (Stream<Path> all = Files.walk(out)) {
      assertEquals(FILES, all.filter(Files::isRegularFile).count(), "no temporary file left behind");
    }
  }

  @Test
  void threadsOfOneJvmShareOneTransferAndReturnTheSameReport() throws Exception {
    proxy.delayBlobGets(100);
    Path out = dir.resolve("threads");
    AzureMLFiles files = AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(config.toString())
        .build();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<TransferReport>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(pool.submit(() -> files.downloadFilesFromRunId(RUN, out.toString())));
    }
    List<TransferReport> reports = new ArrayList<>();
    for (Future<TransferReport> f : calls) {
      reports.add(f.get(120, TimeUnit.SECONDS));
    }
    pool.shutdown();

    assertComplete(out);
    assertEquals(FILES, proxy.blobGets(), "each file fetched once");
    for (TransferReport r : reports) {
      assertEquals(FILES, r.transferred());
      assertEquals(reports.get(0).files(), r.files());
    }
    // Asked again later, it is a new download (the run's default overwrite=true replaces the files).
    proxy.reset();
    assertEquals(FILES, files.downloadFilesFromRunId(RUN, out.toString()).transferred());
    assertEquals(FILES, proxy.blobGets());
  }

  @Test
  void jvmsStartedAtOnceShareOneTransferAndOneKilledMidwayIsTakenOver() throws Exception {
    proxy.delayBlobGets(250);
    Path out = dir.resolve("jvms");
    Path state = Files.createDirectories(dir.resolve("tmp"));
    Path go = dir.resolve("go");
    int jvms = 3;
    List<Process> children = new ArrayList<>();
    for (int i = 0; i < jvms; i++) {
      children.add(startChild(i, state, go, out));
    }
    for (int i = 0; i < jvms; i++) {
      Path ready = dir.resolve("ready-" + i);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!Files.exists(ready)) {
        assertTrue(children.get(i).isAlive(), "child " + i + " died: " + Files.readString(dir.resolve("err-" + i)));
        assertTrue(System.nanoTime() < deadline, "child " + i + " never got ready");
        Thread.sleep(100);
      }
    }
    Files.createFile(go);

    // Kill whichever holds the transfer once it is part-way through.
    Path started;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((started = startedMark(state)) == null || proxy.blobGets() < FILES / 3) {
      assertTrue(System.nanoTime() < deadline, "no transfer started");
      Thread.sleep(20);
    }
    long holderPid = Long.parseLong(Files.readString(started).trim());
    Process holder = children.stream().filter(p -> p.pid() == holderPid).findFirst().orElseThrow();
    holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    Set<String> landedBeforeKill = landed(out);
    assertTrue(landedBeforeKill.size() < FILES, "killed mid-transfer: " + landedBeforeKill.size());

    List<String> summaries = new ArrayList<>();
    for (int i = 0; i < jvms; i++) {
      Process p = children.get(i);
      if (p == holder) {
        continue;
      }
      assertTrue(p.waitFor(180, TimeUnit.SECONDS), "child " + i + " returned");
      assertEquals(0, p.exitValue(), Files.readString(dir.resolve("err-" + i)));
      summaries.add(Files.readString(dir.resolve("out-" + i)).trim());
    }

    assertComplete(out);
    assertEquals(1, new TreeSet<>(summaries).size(), "every caller returned the same report: " + summaries);
    Map<String, Long> gets = new TreeMap<>(proxy.blobGetsByPath());
    assertEquals(FILES, gets.size(), gets.toString());
    for (Map.Entry<String, Long> e : gets.entrySet()) {
      String name = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
      if (landedBeforeKill.contains(name)) {
        assertEquals(1L, e.getValue(), name + " landed before the kill and was not fetched again");
      } else {
        assertTrue(e.getValue() <= 2, name + " fetched at most once more after the kill: " + e.getValue());
      }
    }
    long refetched = gets.values().stream().filter(n -> n > 1).count();
    assertTrue(refetched <= 2, "only the files in flight at the kill are fetched again: " + refetched);
  }

  private static Path startedMark(Path state) throws IOException {
    try (Stream<Path> files = Files.walk(state, 2)) {
      return files.filter(p -> p.getParent().getFileName().toString().startsWith("amlspark-downloads-")
          && p.toString().endsWith(".started")).findFirst().orElse(null);
    }
  }

  private static Set<String> landed(Path out) throws IOException {
    Path folder = out.resolve("outputs");
    if (!Files.isDirectory(folder)) {
      return Set.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private Process startChild(int i, Path state, Path go, Path out) throws IOException {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent") && !arg.startsWith("-Xrunjdwp")
          && !arg.startsWith("-Djava.io.tmpdir")) {
        command.add(arg);
      }
    }
    command.addAll(List.of("-Xmx512m", "-Djava.io.tmpdir=" + state, "-cp", classPath, Child.class.getName(),
        config.toString(), out.toString(), dir.resolve("ready-" + i).toString(), go.toString()));
    return new ProcessBuilder(command).redirectOutput(dir.resolve("out-" + i).toFile())
        .redirectError(dir.resolve("err-" + i).toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
  }

  /**
   * A process of a "distributed job": starts Spark, says it is ready, waits for the signal, downloads the
   * run and prints its report, one line per file, sorted.
   */
  static final class Child {
    private Child() {
    }

    public static void main(String[] args) throws Exception {
      SparkSession spark = SparkSession.builder().master("local[1]").appName("amlspark-it-shared")
          .config("spark.ui.enabled", "false").config("spark.azureml.transferConcurrency", "2").getOrCreate();
      try {
        AzureMLFiles files = AzureMLFiles.builder().spark(spark).workspaceConfig(args[0]).build();
        Files.createFile(Path.of(args[2]));
        while (!Files.exists(Path.of(args[3]))) {
          Thread.sleep(20);
        }
        TransferReport report = files.downloadFilesFromRunId(RUN, args[1]);
        report.files().stream().sorted(Comparator.comparing(FileTransfer::path))
            .forEach(f -> System.out.println(f.path() + " " + f.status() + " " + f.contentMd5()));
        System.out.flush();
      } finally {
        spark.stop();
      }
      System.exit(0);
    }
  }
}
