package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.harness.Azurite;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector on a real Spark standalone cluster ({@link StandaloneCluster}): the driver in a JVM of its
 * own ({@link ClusterDriver}, submitted with the shaded jar in {@code --jars}), the tasks in two executor
 * JVMs. Two applications run: the first is killed mid-download; the second reruns that download, then
 * runs every other scenario, the last one while the test kills the executor JVM that is writing a file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandaloneClusterIT {
  private static final List<String> SCENARIOS = List.of("read", "datastoreDownload", "runDownload", "upload",
      "write", "sql", "readMetrics", "progress");
  private static final int DOOMED_FILES = 20;
  private static final int LIVE_FILES = 16;
  private static final String TEMP_SUFFIX = ".amlspark.tmp";

  @TempDir
  static Path dir;
  private StandaloneCluster cluster;
  private final Map<String, byte[]> data = new TreeMap<>();
  private final Map<String, byte[]> doomed = new TreeMap<>();
  private final Map<String, byte[]> death = new TreeMap<>();
  private BlobContainerClient ds;
  private BlobProxy liveProxy;
  private BlobProxy doomedProxy;
  private BlobProxy deathProxy;
  private String doomedContainer;
  private Set<String> landedBeforeRerun;
  private final Map<String, String> results = new LinkedHashMap<>();
  private final Map<String, Long> executorPids = new ConcurrentHashMap<>();
  private long driverPid;
  private volatile String killedExecutor;
  private String progressLog;
  private String driverLog;

  @BeforeAll
  void runOnTheCluster() throws Exception {
    cluster = TestEnvironment.cluster();
    seed();
    killADriverMidDownload();
    runTheScenarios();
  }

  @AfterAll
  void closeProxies() {
    Stream.of(liveProxy, doomedProxy, deathProxy).filter(java.util.Objects::nonNull).forEach(BlobProxy::close);
  }

  private void seed() throws IOException {
    String account = Azurite.ACCOUNT;
    ds = TestEnvironment.newContainer("cluster");
    for (int i = 0; i < 6; i++) {
      data.put("data/" + i + ".bin", TestEnvironment.random(3000 * (i + 1), i));
    }
    data.forEach((name, bytes) -> TestEnvironment.put(ds, name, bytes));
    TestEnvironment.workspaceConfig(dir.resolve("ds"), "ds", ds);

    BlobContainerClient runs = TestEnvironment.newContainer("clusterruns");
    TestEnvironment.put(runs, "ExperimentRun/dcid.run_1/outputs/a.txt", bytes("a"));
    TestEnvironment.put(runs, "ExperimentRun/dcid.run_1/logs/b.txt", bytes("b"));
    TestEnvironment.put(runs, "ExperimentRun/dcid.run_2/outputs/other.txt", bytes("other run"));
    TestEnvironment.workspaceConfig(dir.resolve("runs"), "workspaceartifactstore", runs);

    Files.createDirectories(dir.resolve("up/sub"));
    Files.writeString(dir.resolve("up/1.txt"), "one");
    Files.write(dir.resolve("up/sub/2.bin"), TestEnvironment.random(5000, 2));

    // One task's files fetched one at a time, each GET held 200 ms: only heartbeats show counts in between.
    BlobContainerClient live = TestEnvironment.newContainer("clusterlive");
    for (int i = 0; i < LIVE_FILES; i++) {
      TestEnvironment.put(live, "live/" + i + ".bin", TestEnvironment.random(1000, i));
    }
    liveProxy = new BlobProxy(TestEnvironment.azurite().accountUrl());
    liveProxy.delayBlobGets(200);
    TestEnvironment.workspaceConfig(dir.resolve("live"), "ds", live, liveProxy.accountUrl(account));

    BlobContainerClient doomedBlobs = TestEnvironment.newContainer("clusterdoomed");
    doomedContainer = doomedBlobs.getBlobContainerName();
    for (int i = 0; i < DOOMED_FILES; i++) {
      doomed.put(String.format("d/%02d.bin", i), TestEnvironment.random(64 * 1024, 100 + i));
    }
    doomed.forEach((name, bytes) -> TestEnvironment.put(doomedBlobs, name, bytes));
    doomedProxy = new BlobProxy(TestEnvironment.azurite().accountUrl());
    doomedProxy.delayBlobGets(300);
    TestEnvironment.workspaceConfig(dir.resolve("doomed"), "ds", doomedBlobs, doomedProxy.accountUrl(account));

    // The large blob's first GET sends half its body, then stalls: its executor holds a partial file.
    BlobContainerClient deathBlobs = TestEnvironment.newContainer("clusterdeath");
    for (int i = 0; i < 12; i++) {
      death.put("e/" + i + ".bin", TestEnvironment.random(64 * 1024, 200 + i));
    }
    death.put("e/big.bin", TestEnvironment.random(3 * 1024 * 1024, 300));
    death.forEach((name, bytes) -> TestEnvironment.put(deathBlobs, name, bytes));
    deathProxy = new BlobProxy(TestEnvironment.azurite().accountUrl());
    deathProxy.stallFor(30_000);
    deathProxy.fail("e/big.bin", BlobProxy.Fault.STALL, 1);
    TestEnvironment.workspaceConfig(dir.resolve("death"), "ds", deathBlobs, deathProxy.accountUrl(account));
  }

  private Properties scenarios(String... names) {
    Properties p = new Properties();
    p.setProperty("scenarios", String.join(",", names));
    p.setProperty("config", dir.resolve("ds/config.json").toString());
    p.setProperty("runConfig", dir.resolve("runs/config.json").toString());
    p.setProperty("progressConfig", dir.resolve("live/config.json").toString());
    p.setProperty("uploadFolder", dir.resolve("up").toString());
    p.setProperty("out", dir.resolve("out").toString());
    p.setProperty("doomed.config", dir.resolve("doomed/config.json").toString());
    p.setProperty("doomed.out", dir.resolve("doomed-out").toString());
    p.setProperty("death.config", dir.resolve("death/config.json").toString());
    p.setProperty("death.out", dir.resolve("death-out").toString());
    return p;
  }

  private StandaloneCluster.Driver submit(Properties scenarios, Map<String, String> conf, List<String> flags)
      throws IOException, URISyntaxException {
    Path file = dir.resolve("scenarios-" + System.nanoTime() + ".properties");
    try (OutputStream out = Files.newOutputStream(file)) {
      scenarios.store(out, null);
    }
    Path connector = Path.of(AzureMLFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return cluster.submit(appJar(), ClusterDriver.class.getName(), List.of(connector), conf, flags,
        List.of(file.toString()), dir.resolve("logs"));
  }

  /** The driver's classes in a jar of their own, the application jar spark-submit is given. */
  private static Path appJar() throws IOException, URISyntaxException {
    Path jar = dir.resolve("cluster-driver.jar");
    if (Files.exists(jar)) {
      return jar;
    }
    Path classes = Path.of(ClusterDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path pkg = classes.resolve("io/github/amlspark/it");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.list(pkg)) {
      for (Path c : files.filter(f -> f.getFileName().toString().startsWith("ClusterDriver")
          || f.getFileName().toString().startsWith("PlanMetrics")).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(c).toString().replace('\\', '/')));
        Files.copy(c, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  /** The first application: killed (SIGKILL) once a few of its files have landed. */
  private void killADriverMidDownload() throws Exception {
    StandaloneCluster.Driver driver = submit(scenarios("download.doomed"),
        Map.of("spark.azureml.transferConcurrency", "1"), List.of());
    Path out = dir.resolve("doomed-out");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (finalFiles(out).size() < 4) {
      if (!driver.process().isAlive() || System.nanoTime() > deadline) {
        String state = driver.process().isAlive() ? "landed too few files in time; its threads:\n"
            + StandaloneCluster.threadDump(driver.process().pid()) : "ended before it was killed";
        driver.process().destroyForcibly();
        throw new AssertionError("the first driver " + state + "\nstdout: " + Files.readString(driver.out())
            + "\nstderr: " + Files.readString(driver.err()) + "\nblob requests: " + doomedProxy.requests().size()
            + "\n" + cluster.logs());
      }
      Thread.sleep(50);
    }
    driver.process().destroyForcibly();
    assertTrue(driver.process().waitFor(10, TimeUnit.SECONDS), "the killed driver is gone");
    // Its executors notice the driver is gone and exit; nothing may land after the snapshot below.
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!StandaloneCluster.executorsOf(driver.port()).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the dead driver's executors exit: "
          + StandaloneCluster.executorsOf(driver.port()));
      Thread.sleep(100);
    }
    landedBeforeRerun = new TreeSet<>();
    for (Path f : finalFiles(out)) {
      String name = out.relativize(f).toString();
      assertArrayEquals(doomed.get(name), Files.readAllBytes(f), "a final path holds a whole file: " + name);
      landedBeforeRerun.add(name);
    }
    assertTrue(landedBeforeRerun.size() < DOOMED_FILES, "the driver died mid-download: " + landedBeforeRerun);
    doomedProxy.reset();
  }

  /** The second application: the rerun of the killed download, every scenario, and an executor's death. */
  private void runTheScenarios() throws Exception {
    List<String> names = new ArrayList<>(List.of("download.doomed"));
    names.addAll(SCENARIOS);
    names.add("download.death");
    StandaloneCluster.Driver driver = submit(scenarios(names.toArray(String[]::new)),
        Map.of("spark.executor.heartbeatInterval", "200ms"),
        List.of("-Damlspark.progress=plain", "-Damlspark.progress.intervalMillis=100"));
    ExecutorService watchers = Executors.newFixedThreadPool(2);
    try {
      watchers.submit(() -> recordExecutors(driver));
      Future<?> killer = watchers.submit(() -> killTheExecutorWritingTheStalledFile(driver));
      boolean finished = driver.process().waitFor(600, TimeUnit.SECONDS);
      if (!finished) {
        driver.process().destroyForcibly();
      }
      String stdout = Files.readString(driver.out());
      driverLog = Files.readString(driver.err());
      assertTrue(finished && driver.process().exitValue() == 0, "the driver failed:\n" + stdout + "\n" + driverLog
          + "\n" + cluster.logs());
      killer.get(5, TimeUnit.SECONDS);
      for (String line : stdout.lines().toList()) {
        if (line.startsWith(ClusterDriver.RESULT)) {
          String kv = line.substring(ClusterDriver.RESULT.length());
          results.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
      }
      driverPid = driver.process().pid();
      int start = driverLog.indexOf(ClusterDriver.PROGRESS_START);
      int end = driverLog.indexOf(ClusterDriver.PROGRESS_END);
      assertTrue(start >= 0 && end > start, driverLog);
      progressLog = driverLog.substring(start, end);
    } finally {
      watchers.shutdownNow();
    }
  }

  /** Notes every executor JVM of the driver's application while it runs: executor id to process id. */
  private Void recordExecutors(StandaloneCluster.Driver driver) throws InterruptedException {
    while (driver.process().isAlive()) {
      StandaloneCluster.executorsOf(driver.port()).forEach((id, p) -> executorPids.putIfAbsent(id, p.pid()));
      Thread.sleep(200);
    }
    return null;
  }

  /**
   * Once the large blob's GET has stalled, finds the executor JVM that holds its temporary file open and
   * kills it (SIGKILL), mid-write.
   */
  private Void killTheExecutorWritingTheStalledFile(StandaloneCluster.Driver driver) throws Exception {
    String folder = dir.resolve("death-out").toString();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(540);
    while (System.nanoTime() < deadline && driver.process().isAlive()) {
      if (deathProxy.faultsInjected() > 0) {
        for (Map.Entry<String, ProcessHandle> e : StandaloneCluster.executorsOf(driver.port()).entrySet()) {
          if (holdsOpen(e.getValue().pid(), folder, ".big.bin.")) {
            e.getValue().destroyForcibly();
            executorPids.put(e.getKey(), e.getValue().pid());
            killedExecutor = e.getKey();
            return null;
          }
        }
      }
      Thread.sleep(50);
    }
    return null;
  }

  /**
   * @return whether the process holds a temporary download file below the folder open, one whose name
   *     starts so (its /proc fds)
   */
  private static boolean holdsOpen(long pid, String folder, String tempStart) {
    try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
      return fds.anyMatch(fd -> {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          String name = Path.of(target).getFileName().toString();
          return target.startsWith(folder) && name.startsWith(tempStart) && name.endsWith(TEMP_SUFFIX);
        } catch (IOException gone) {
          return false;
        }
      });
    } catch (IOException gone) {
      return false;
    }
  }

  // ----- where the work ran -----

  @Test
  void theDriverReachesTheConnectorOnlyThroughJars() {
    assertEquals(cluster.masterUrl(), results.get("driver.master"));
    assertEquals("false", results.get("driver.connectorOnSystemClassPath"), results.toString());
    assertTrue(results.get("driver.connectorJar").matches(".*/amlspark-connector_2\\.12-\\d[^/]*\\.jar"),
        results.get("driver.connectorJar"));
  }

  @Test
  void everyScenarioRanItsTasksInExecutorJvmsOtherThanTheDriver() {
    assertEquals(String.valueOf(driverPid), results.get("driver.pid"));
    assertNotEquals(ProcessHandle.current().pid(), driverPid);
    Set<Long> used = new HashSet<>();
    for (String scenario : SCENARIOS) {
      String ids = results.get(scenario + ".executors");
      assertNotNull(ids, scenario + ": " + results);
      assertFalse(ids.isEmpty(), scenario + " ran tasks: " + results);
      for (String id : ids.split(",")) {
        Long pid = executorPids.get(id);
        assertNotNull(pid, scenario + " ran on executor " + id + ", a JVM of the Worker: " + executorPids);
        assertNotEquals(driverPid, pid.longValue(), scenario);
        used.add(pid);
      }
    }
    assertTrue(used.size() >= 2, "both executor JVMs ran tasks: " + used);
  }

  // ----- each way in, on the cluster -----

  @Test
  void aReadListsAndReturnsEveryBlobsContent() throws Exception {
    assertEquals("6", results.get("read.rows"));
    for (Map.Entry<String, byte[]> e : data.entrySet()) {
      assertEquals(md5(e.getValue()), results.get("read.md5." + e.getKey()), e.getKey());
    }
  }

  @Test
  void aDatastoreDownloadLandsEveryFileVerified() {
    assertEquals("6", results.get("datastoreDownload.transferred"));
    assertEquals("6", results.get("datastoreDownload.verified"));
    data.forEach((name, bytes) -> assertArrayEquals(bytes, TestEnvironment.read(dir.resolve("out/datastore/" + name))));
  }

  @Test
  void aRunDownloadTakesPathsRelativeToTheRun() {
    assertEquals("2", results.get("runDownload.transferred"));
    assertEquals("logs/b.txt,outputs/a.txt", results.get("runDownload.paths"));
    assertEquals("a", TestEnvironment.readString(dir.resolve("out/run/outputs/a.txt")));
  }

  @Test
  void aFolderUploadPutsEveryFile() {
    assertEquals("2", results.get("upload.transferred"));
    assertEquals("one", ds.getBlobClient("uploaded/1.txt").downloadContent().toString());
    assertArrayEquals(TestEnvironment.random(5000, 2), ds.getBlobClient("uploaded/sub/2.bin").downloadContent().toBytes());
  }

  @Test
  void aDataFrameWriteUploadsAndItsPlanCountsEveryFileFromTheExecutors() {
    assertEquals("6", results.get("write.filesTransferred"), results.toString());
    assertEquals("21", results.get("write.bytesTransferred"), results.toString());
    assertEquals("0", results.get("write.filesFailed"), results.toString());
    for (int i = 0; i < 6; i++) {
      assertEquals(i + 1, ds.getBlobClient("w/" + i + ".bin").getProperties().getBlobSize());
    }
  }

  @Test
  void sqlReadsATemporaryView() {
    StringBuilder expected = new StringBuilder();
    data.forEach((name, bytes) -> expected.append(expected.isEmpty() ? "" : ";").append(name).append(':')
        .append(bytes.length));
    assertEquals(expected.toString(), results.get("sql.rows"));
  }

  @Test
  void aDownloadsPlanCountsTheExecutorsFilesAndBytes() {
    assertEquals("6", results.get("readMetrics.rows"));
    assertEquals("6", results.get("readMetrics.filesTransferred"), results.toString());
    assertEquals(String.valueOf(data.values().stream().mapToLong(b -> b.length).sum()),
        results.get("readMetrics.bytesTransferred"), results.toString());
    assertEquals("0", results.get("readMetrics.filesFailed"));
  }

  @Test
  void theProgressBarMovesWithTheExecutorsHeartbeats() {
    assertEquals(String.valueOf(LIVE_FILES), results.get("progress.transferred"));
    Matcher m = Pattern.compile("(\\d+)/" + LIVE_FILES + " files").matcher(progressLog);
    List<Integer> seen = new ArrayList<>();
    while (m.find()) {
      seen.add(Integer.parseInt(m.group(1)));
    }
    // Files finish one at a time in one task; counts in between come only from heartbeats of another JVM.
    List<Integer> whileRunning = seen.stream().filter(n -> n > 0 && n < LIVE_FILES).distinct().toList();
    assertTrue(whileRunning.size() >= 3, "at least 3 distinct counts while the task ran: " + seen);
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i) >= seen.get(i - 1), "the count never goes back: " + seen);
    }
    assertEquals(LIVE_FILES, seen.get(seen.size() - 1), progressLog);
  }

  // ----- deaths -----

  @Test
  void anExecutorKilledMidFileLeavesACompleteVerifiedFolderAndAReportWithEachFileOnce() throws Exception {
    assertNotNull(killedExecutor, "an executor was killed while writing the stalled file:\n" + driverLog);
    assertFalse(ProcessHandle.of(executorPids.get(killedExecutor)).map(ProcessHandle::isAlive).orElse(false));
    assertTrue(Integer.parseInt(results.get("download.death.lostTasks")) >= 1,
        "Spark reran the dead executor's task: " + results);
    assertEquals("0", results.get("download.death.failed"));
    assertEquals(String.valueOf(death.size()), results.get("download.death.files"), "each file once");
    assertEquals(String.join(",", death.keySet()), results.get("download.death.paths"));
    Path out = dir.resolve("death-out");
    for (Map.Entry<String, byte[]> e : death.entrySet()) {
      assertEquals(md5(e.getValue()), md5(TestEnvironment.read(out.resolve(e.getKey()))), e.getKey());
    }
    assertEquals(death.size(), TestEnvironment.files(out).size(),
        "no temporary file left, the dead executor's neither: " + TestEnvironment.files(out));
  }

  @Test
  void aRerunAfterTheDriverDiedFetchesOnlyWhatHadNotLanded() throws Exception {
    assertFalse(landedBeforeRerun.isEmpty());
    assertEquals(String.valueOf(landedBeforeRerun.size()), results.get("download.doomed.skipped"), results.toString());
    assertEquals(String.valueOf(DOOMED_FILES - landedBeforeRerun.size()), results.get("download.doomed.transferred"));
    Map<String, Long> gets = new TreeMap<>();
    String prefix = "/" + Azurite.ACCOUNT + "/" + doomedContainer + "/";
    doomedProxy.blobGetsByPath().forEach((path, n) -> gets.merge(
        java.net.URLDecoder.decode(path, StandardCharsets.UTF_8).substring(prefix.length()), n, Long::sum));
    Map<String, Long> expected = new TreeMap<>();
    doomed.keySet().stream().filter(n -> !landedBeforeRerun.contains(n)).forEach(n -> expected.put(n, 1L));
    assertEquals(expected, gets, "one GET for each file that had not landed, none for the others");
    Path out = dir.resolve("doomed-out");
    for (Map.Entry<String, byte[]> e : doomed.entrySet()) {
      assertArrayEquals(e.getValue(), TestEnvironment.read(out.resolve(e.getKey())), e.getKey());
    }
    assertEquals(DOOMED_FILES, TestEnvironment.files(out).size(), "no leftovers: " + TestEnvironment.files(out));
  }

  /** @return the files at final paths in the folder's {@code d/}, listed without a stat (files come and go) */
  private static List<Path> finalFiles(Path folder) throws IOException {
    Path d = folder.resolve("d");
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(d)) {
      return files.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String md5(byte[] b) throws Exception {
    return String.format("%032x", new java.math.BigInteger(1, java.security.MessageDigest.getInstance("MD5").digest(b)));
  }
}
