package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.concurrent.Callable;
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
 * runs every other scenario; it also resolves a datastore through the ARM stub (for a download and for the
 * azureml:// file system over WASB), pauses so that the test can search its executors' heaps for secrets,
 * and ends with two deaths: the test kills the executor JVM that is writing a file, then the one that is
 * sending a file to storage.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandaloneClusterIT {
  private static final List<String> SCENARIOS = List.of("read", "datastoreDownload", "runDownload", "upload",
      "write", "sql", "readMetrics", "progress");
  private static final int DOOMED_FILES = 20;
  private static final int LIVE_FILES = 16;
  private static final String TEMP_SUFFIX = ".amlspark.tmp";
  private static final int UPLOAD_DEATH_SMALL_FILES = 8;
  // Above the 4 MiB that is sent from memory: hashed, then streamed in one Put Blob (docs/uploads.md).
  private static final int UPLOAD_DEATH_BIG_BYTES = 6 * 1024 * 1024;

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
  private BlobProxy upDeathProxy;
  private BlobContainerClient upDeathBlobs;
  private final Map<String, byte[]> upDeath = new TreeMap<>();
  private volatile String killedUploader;
  private ArmStub arm;
  private BlobContainerClient armBlobs;
  private BlobContainerClient armFsBlobs;
  private final Map<String, byte[]> armData = new TreeMap<>();
  private final Map<String, Set<String>> secretsInExecutorHeaps = new TreeMap<>();
  private final Map<String, Boolean> containerInExecutorHeaps = new TreeMap<>();
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
    Stream.of(liveProxy, doomedProxy, deathProxy, upDeathProxy).filter(java.util.Objects::nonNull)
        .forEach(BlobProxy::close);
    if (arm != null) {
      arm.close();
    }
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

    // The large file's first Put Blob stalls after half its body: its executor is caught mid-send. The
    // files are packed into two tasks, the large one with two small ones (docs/uploads.md's packing).
    Path upFolder = Files.createDirectories(dir.resolve("updeath-in/s"));
    for (int i = 0; i < UPLOAD_DEATH_SMALL_FILES; i++) {
      upDeath.put("s/" + i + ".bin", TestEnvironment.random(1024 * 1024, 400 + i));
    }
    upDeath.put("big.bin", TestEnvironment.random(UPLOAD_DEATH_BIG_BYTES, 500));
    for (Map.Entry<String, byte[]> e : upDeath.entrySet()) {
      Files.write(upFolder.getParent().resolve(e.getKey()), e.getValue());
    }
    upDeathBlobs = TestEnvironment.newContainer("clusterupdeath");
    upDeathProxy = new BlobProxy(TestEnvironment.azurite().accountUrl());
    upDeathProxy.stallFor(30_000);
    upDeathProxy.failPuts("updeath/big.bin", BlobProxy.PutKind.PUT_BLOB, BlobProxy.PutFault.STALL_MID_BODY, 1);
    TestEnvironment.workspaceConfig(dir.resolve("updeath"), "ds", upDeathBlobs, upDeathProxy.accountUrl(account));

    // Datastores only ARM knows, with an account key as their secret: one on Azurite for a download, one
    // on the WASB emulator for the file system. The driver reaches ARM with a token of its own.
    arm = new ArmStub();
    armBlobs = TestEnvironment.newContainer("clusterarm");
    for (int i = 0; i < 4; i++) {
      armData.put("a/" + i + ".bin", TestEnvironment.random(20_000 + i, 600 + i));
    }
    armData.forEach((name, bytes) -> TestEnvironment.put(armBlobs, name, bytes));
    arm.datastore("armds", "AzureBlob", account, armBlobs.getBlobContainerName(), "AccountKey", keySecret());
    arm.workspaceConfig(dir.resolve("arm"));
    armFsBlobs = new com.azure.storage.blob.BlobServiceClientBuilder()
        .connectionString(TestEnvironment.wasbAzurite().connectionString()).buildClient()
        .getBlobContainerClient("clusterfs-" + java.util.UUID.randomUUID().toString().substring(0, 8));
    armFsBlobs.create();
    arm.datastore("armfs", "AzureBlob", account, armFsBlobs.getBlobContainerName(), "AccountKey", keySecret());
    arm.workspaceConfig(dir.resolve("armfs"), TestEnvironment.wasbAzurite().accountUrl());
  }

  private static String keySecret() {
    return "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}";
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
    p.setProperty("updeath.config", dir.resolve("updeath/config.json").toString());
    p.setProperty("updeath.folder", dir.resolve("updeath-in").toString());
    p.setProperty("armConfig", dir.resolve("arm/config.json").toString());
    p.setProperty("fsConfig", dir.resolve("armfs/config.json").toString());
    p.setProperty("pause.go", dir.resolve("pause.go").toString());
    return p;
  }

  private StandaloneCluster.Driver submit(Properties scenarios, Map<String, String> conf, List<String> flags)
      throws IOException, URISyntaxException {
    return submit(scenarios, conf, flags, List.of());
  }

  private StandaloneCluster.Driver submit(Properties scenarios, Map<String, String> conf, List<String> flags,
      List<Path> moreJars) throws IOException, URISyntaxException {
    Path file = dir.resolve("scenarios-" + System.nanoTime() + ".properties");
    try (OutputStream out = Files.newOutputStream(file)) {
      scenarios.store(out, null);
    }
    Path connector = Path.of(AzureMLFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Path> jars = new ArrayList<>(List.of(connector));
    jars.addAll(moreJars);
    return cluster.submit(appJar(), ClusterDriver.class.getName(), jars, conf, flags, List.of(file.toString()),
        dir.resolve("logs"));
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
    // The heaps are searched before the file system runs: WASB's emulator mode holds the emulator's key itself.
    names.addAll(List.of("armDownload", "pause", "fileSystem", "download.death", "upload.updeath"));
    StandaloneCluster.Driver driver = submit(scenarios(names.toArray(String[]::new)),
        Map.of("spark.executor.heartbeatInterval", "200ms", "spark.eventLog.enabled", "true",
            "spark.eventLog.dir", Files.createDirectories(dir.resolve("events")).toUri().toString(),
            // No spark.hadoop.fs.azureml.impl: spark-submit lists --jars through Hadoop before it adds them to
            // the class loader, so Hadoop's one scan for FileSystem services misses the jar's; the connector
            // names the scheme itself when Spark looks up a format (docs/filesystem.md).
            "spark.eventLog.compress", "false", "spark.eventLog.rolling.enabled", "false"),
        List.of("-Damlspark.progress=plain", "-Damlspark.progress.intervalMillis=100"),
        StandaloneCluster.hadoopAzureJars());
    ExecutorService watchers = Executors.newFixedThreadPool(4);
    try {
      watchers.submit(() -> recordExecutors(driver));
      Future<?> killer = watchers.submit(() -> killTheExecutorWritingTheStalledFile(driver));
      Future<?> uploadKiller = watchers.submit(() -> killTheExecutorSendingTheStalledFile(driver));
      Future<?> heaps = watchers.submit(() -> searchTheExecutorsHeapsWhilePaused(driver));
      boolean finished = driver.process().waitFor(600, TimeUnit.SECONDS);
      if (!finished) {
        driver.process().destroyForcibly();
      }
      String stdout = Files.readString(driver.out());
      driverLog = Files.readString(driver.err());
      assertTrue(finished && driver.process().exitValue() == 0, "the driver failed:\n" + stdout + "\n" + driverLog
          + "\n" + cluster.logs());
      killer.get(5, TimeUnit.SECONDS);
      uploadKiller.get(5, TimeUnit.SECONDS);
      heaps.get(5, TimeUnit.SECONDS);
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
    killedExecutor = killAnExecutor(driver, () -> deathProxy.faultsInjected() > 0,
        pid -> holdsOpen(pid, folder, ".big.bin."));
    return null;
  }

  /**
   * Once the large file's Put Blob has stalled after half its body and every small file is a blob (those of
   * its own task too), finds the executor JVM that owns the connection sending it and kills it (SIGKILL),
   * mid-send.
   */
  private Void killTheExecutorSendingTheStalledFile(StandaloneCluster.Driver driver) throws Exception {
    killedUploader = killAnExecutor(driver, () -> upDeathProxy.stalledSenderPort() > 0
        && upDeathBlobs.listBlobs().stream().filter(b -> b.getName().startsWith("updeath/s/")).count()
        == UPLOAD_DEATH_SMALL_FILES, pid -> {
          Set<String> sockets = socketInodes(upDeathProxy.stalledSenderPort(), upDeathProxy.port());
          return openFiles(pid).stream().anyMatch(sockets::contains);
        });
    return null;
  }

  /** Which executor JVM, by process id, to kill. */
  private interface Victim {
    boolean is(long pid) throws IOException;
  }

  /**
   * While the driver runs (at most 540 s), waits until {@code ready}, then kills (SIGKILL) the first of the
   * application's executor JVMs that is the {@code victim} and notes its process id.
   *
   * @return the killed executor's id, or null when none was killed
   */
  private String killAnExecutor(StandaloneCluster.Driver driver, Callable<Boolean> ready,
      Victim victim) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(540);
    while (System.nanoTime() < deadline && driver.process().isAlive()) {
      if (ready.call()) {
        for (Map.Entry<String, ProcessHandle> e : StandaloneCluster.executorsOf(driver.port()).entrySet()) {
          if (victim.is(e.getValue().pid())) {
            e.getValue().destroyForcibly();
            executorPids.put(e.getKey(), e.getValue().pid());
            return e.getKey();
          }
        }
      }
      Thread.sleep(50);
    }
    return null;
  }

  /**
   * While the driver is paused after its ARM download, dumps each executor's heap (unreachable objects
   * too: a secret that was received and dropped counts) and searches it for the account key (as text,
   * URL-encoded and decoded) and the driver's token. The ARM datastore's container name is searched as
   * well: found, it shows the dump holds what the executors received.
   */
  private Void searchTheExecutorsHeapsWhilePaused(StandaloneCluster.Driver driver) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(480);
    while (!Files.readString(driver.out()).contains(ClusterDriver.RESULT + "pause.ready=")) {
      if (!driver.process().isAlive() || System.nanoTime() > deadline) {
        return null;
      }
      Thread.sleep(100);
    }
    try {
      Map<String, byte[]> secrets = new TreeMap<>();
      for (String secret : List.of(Azurite.ACCOUNT_KEY, ClusterDriver.ShapedCredential.TOKEN)) {
        String what = secret.equals(Azurite.ACCOUNT_KEY) ? "account key" : "token";
        secrets.put(what, secret.getBytes(StandardCharsets.ISO_8859_1));
        secrets.put(what + " (UTF-16)", secret.getBytes(StandardCharsets.UTF_16BE));
        secrets.put(what + " (URL-encoded)", java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8)
            .getBytes(StandardCharsets.ISO_8859_1));
      }
      secrets.put("account key (decoded)", java.util.Base64.getDecoder().decode(Azurite.ACCOUNT_KEY));
      byte[] container = armBlobs.getBlobContainerName().getBytes(StandardCharsets.ISO_8859_1);
      for (Map.Entry<String, ProcessHandle> e : StandaloneCluster.executorsOf(driver.port()).entrySet()) {
        Path dump = dir.resolve("heap-" + e.getKey() + ".hprof");
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
            String.valueOf(e.getValue().pid()), "GC.heap_dump", "-all", dump.toString()).redirectErrorStream(true)
            .start();
        String said = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jcmd.waitFor(60, TimeUnit.SECONDS) && Files.exists(dump), "heap dump of executor "
            + e.getKey() + ": " + said);
        try {
          Set<String> found = new TreeSet<>();
          secrets.forEach((what, bytes) -> {
            if (contains(dump, bytes)) {
              found.add(what);
            }
          });
          secretsInExecutorHeaps.put(e.getKey(), found);
          containerInExecutorHeaps.put(e.getKey(), contains(dump, container));
        } finally {
          Files.deleteIfExists(dump);
        }
      }
    } finally {
      Files.writeString(dir.resolve("pause.go"), "go");
    }
    return null;
  }

  /** @return whether the file holds that run of bytes, read in pieces (heap dumps are large) */
  private static boolean contains(Path file, byte[] pattern) {
    byte[] piece = new byte[8 * 1024 * 1024];
    int kept = 0;
    try (java.io.InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(piece, kept, piece.length - kept)) > 0) {
        int end = kept + n;
        for (int i = 0; i + pattern.length <= end; i++) {
          if (piece[i] == pattern[0] && java.util.Arrays.equals(piece, i, i + pattern.length, pattern, 0,
              pattern.length)) {
            return true;
          }
        }
        // The last bytes start the next piece: a match across two pieces is not missed.
        kept = Math.min(pattern.length - 1, end);
        System.arraycopy(piece, end - kept, piece, 0, kept);
      }
      return false;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * @return the loopback TCP connections from that local port to that remote port, as their fds' link
   *     targets ({@code socket:[inode]}), from /proc/net/tcp and tcp6
   */
  private static Set<String> socketInodes(int localPort, int remotePort) throws IOException {
    Set<String> inodes = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (String line : Files.readAllLines(Path.of(table)).stream().skip(1).toList()) {
        String[] f = line.trim().split("\\s+");
        String local = f[1];
        String remote = f[2];
        if (Integer.parseInt(local.substring(local.indexOf(':') + 1), 16) == localPort
            && Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16) == remotePort) {
          inodes.add("socket:[" + f[9] + "]");
        }
      }
    }
    return inodes;
  }

  /** @return the paths of the files the process holds open (its /proc fds) */
  private static Set<String> openFiles(long pid) {
    try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
      Set<String> open = new HashSet<>();
      fds.forEach(fd -> {
        try {
          open.add(Files.readSymbolicLink(fd).toString());
        } catch (IOException gone) {
          // Closed meanwhile.
        }
      });
      return open;
    } catch (IOException gone) {
      return Set.of();
    }
  }

  /**
   * @return whether the process holds a temporary download file below the folder open, one whose name
   *     starts so (its /proc fds)
   */
  private static boolean holdsOpen(long pid, String folder, String tempStart) {
    return openFiles(pid).stream().anyMatch(target -> {
      String name = target.substring(target.lastIndexOf('/') + 1);
      return target.startsWith(folder) && name.startsWith(tempStart) && name.endsWith(TEMP_SUFFIX);
    });
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

  @Test
  void anExecutorKilledMidSendLeavesEveryBlobWholeOnceAndAReportWithEachFileOnce() throws Exception {
    assertNotNull(killedUploader, "an executor was killed while sending the stalled file:\n" + driverLog);
    assertFalse(ProcessHandle.of(executorPids.get(killedUploader)).map(ProcessHandle::isAlive).orElse(false));
    assertTrue(Integer.parseInt(results.get("upload.updeath.lostTasks")) >= 1,
        "Spark reran the dead executor's task: " + results);
    assertEquals("0", results.get("upload.updeath.failed"), results.toString());
    // Blob name to length and MD5, as the local files have them.
    Map<String, String> expected = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : upDeath.entrySet()) {
      expected.put("updeath/" + e.getKey(), e.getValue().length + " " + md5(e.getValue()));
    }
    assertEquals(String.valueOf(upDeath.size()), results.get("upload.updeath.files"), "each file once");
    assertEquals(String.join(",", expected.keySet()), results.get("upload.updeath.paths"));
    // The small files the dead attempt had put are whole blobs its rerun finds (SKIPPED, as overwrite=false
    // says); the stalled body never became a blob, so the rerun sent it.
    assertEquals(upDeath.size(), Integer.parseInt(results.get("upload.updeath.transferred"))
        + Integer.parseInt(results.get("upload.updeath.skipped")), results.toString());
    String skipped = results.get("upload.updeath.skippedPaths");
    assertTrue(!skipped.isEmpty() && !skipped.contains("updeath/big.bin"), "skipped: " + skipped);
    // Every name, uncommitted ones included (a name with staged blocks only is listed as a blob of its own).
    Map<String, com.azure.storage.blob.models.BlobItem> blobs = new TreeMap<>();
    upDeathBlobs.listBlobs(new com.azure.storage.blob.models.ListBlobsOptions().setDetails(
        new com.azure.storage.blob.models.BlobListDetails().setRetrieveUncommittedBlobs(true)), null)
        .forEach(b -> assertNull(blobs.put(b.getName(), b), "listed once: " + b.getName()));
    Map<String, String> actual = new TreeMap<>();
    blobs.forEach((name, b) -> actual.put(name, b.getProperties().getContentLength() + " "
        + (b.getProperties().getContentMd5() == null ? "no Content-MD5"
            : String.format("%032x", new java.math.BigInteger(1, b.getProperties().getContentMd5())))));
    assertEquals(expected, actual, "each blob whole, with its file's Content-MD5, and nothing else");
    assertArrayEquals(upDeath.get("big.bin"), upDeathBlobs.getBlobClient("updeath/big.bin").downloadContent()
        .toBytes());
  }

  // ----- what executors receive -----

  @Test
  void aDatastoreResolvedThroughArmDownloadsWithTheDriversCallsOnly() throws Exception {
    assertEquals(String.valueOf(armData.size()), results.get("armDownload.transferred"), results.toString());
    assertEquals(String.valueOf(armData.size()), results.get("armDownload.verified"));
    armData.forEach((name, bytes) -> assertArrayEquals(bytes, TestEnvironment.read(dir.resolve("out/arm/" + name))));
    assertOnlyTheDriverCalledArm("armds", "armDownload");
  }

  @Test
  void noExecutorHeapHoldsTheAccountKeyOrTheDriversToken() {
    assertFalse(secretsInExecutorHeaps.isEmpty(), "the executors' heaps were searched while the driver paused");
    assertTrue(containerInExecutorHeaps.containsValue(true),
        "an executor's heap holds what the ARM download sent it (its container): " + containerInExecutorHeaps);
    secretsInExecutorHeaps.forEach((executor, found) -> assertEquals(Set.of(), found,
        "executor " + executor + "'s heap holds no secret of the driver"));
  }

  @Test
  void theFileSystemRoundTripsPartitionedParquetWithExecutorsThatNeverResolve() throws Exception {
    List<String> expected = new ArrayList<>();
    for (long id = 0; id < 8; id++) {
      expected.add("[" + id + "," + (id % 2) + ",v" + id + "]");
    }
    expected.sort(null);
    assertEquals(String.join(";", expected), results.get("fileSystem.rows"), results.toString());
    String root = "azureml://datastores/armfs/paths/cluster/table";
    assertEquals(root + "/part=0/part-*," + root + "/part=1/part-*", results.get("fileSystem.inputFiles"));
    List<String> written = armFsBlobs.listBlobs().stream().map(com.azure.storage.blob.models.BlobItem::getName)
        .filter(n -> n.endsWith(".parquet")).toList();
    assertTrue(written.stream().anyMatch(n -> n.startsWith("cluster/table/part=0/"))
        && written.stream().anyMatch(n -> n.startsWith("cluster/table/part=1/")), written.toString());
    for (String id : results.get("fileSystem.executors").split(",")) {
      assertNotNull(executorPids.get(id), "the file system's tasks ran in executor JVMs: " + results);
    }
    assertOnlyTheDriverCalledArm("armfs", "fileSystem");
  }

  @Test
  void theEventLogAndTheExecutorsLogsHoldNoSecret() throws Exception {
    List<Path> events;
    try (Stream<Path> files = Files.list(dir.resolve("events"))) {
      events = files.filter(Files::isRegularFile).toList();
    }
    String eventLog = String.join("\n", events.stream().map(TestEnvironment::readString).toList());
    // addFile after the file system ran re-posted the environment: its Hadoop entries, the SAS's among them.
    String sasKey = "fs.azure.sas." + armFsBlobs.getBlobContainerName() + ".storageemulator";
    Matcher sasEntry = Pattern.compile("\"(" + Pattern.quote(sasKey) + ")\":\"([^\"]*)\"").matcher(eventLog);
    List<String> sasEntries = new ArrayList<>();
    while (sasEntry.find()) {
      sasEntries.add(sasEntry.group(1) + "=" + sasEntry.group(2));
    }
    assertFalse(sasEntries.isEmpty(), "the event log shows the file system's SAS entry");
    assertTrue(sasEntries.stream().allMatch(e -> e.endsWith("=*********(redacted)")), sasEntries.toString());
    List<Path> logs = cluster.executorLogs();
    assertFalse(logs.isEmpty());
    Map<String, String> texts = new TreeMap<>();
    texts.put("event log", eventLog);
    for (Path log : logs) {
      texts.put(log.toString(), TestEnvironment.readString(log));
    }
    texts.put("driver log", driverLog);
    for (Map.Entry<String, String> t : texts.entrySet()) {
      for (String secret : List.of(Azurite.ACCOUNT_KEY, ClusterDriver.ShapedCredential.TOKEN, "sig=")) {
        assertFalse(t.getValue().contains(secret), t.getKey() + " holds " + (secret.equals("sig=") ? "a SAS"
            : secret.equals(Azurite.ACCOUNT_KEY) ? "the account key" : "the token"));
      }
    }
  }

  /**
   * ARM was asked about the datastore once (its definition and its secret), before the scenario's first
   * task was launched: the executors, which run only tasks, never called ARM (the stub's clients are all on loopback, so the time
   * tells the driver's calls from an executor's).
   */
  private void assertOnlyTheDriverCalledArm(String datastore, String scenario) {
    long firstTask = Long.parseLong(results.get(scenario + ".firstTaskMillis"));
    assertTrue(firstTask > 0, scenario + " ran tasks: " + results);
    List<com.github.tomakehurst.wiremock.verification.LoggedRequest> calls = arm.server().getAllServeEvents()
        .stream().map(com.github.tomakehurst.wiremock.stubbing.ServeEvent::getRequest)
        .filter(r -> r.getUrl().contains("/datastores/" + datastore)).toList();
    // One resolution: the driver's. An executor resolving would ask again.
    assertEquals(List.of("GET", "POST"), calls.stream().map(r -> r.getMethod().toString()).sorted().toList(),
        "ARM was asked about " + datastore + " once (its definition, its secret)");
    List<String> late = calls.stream().filter(r -> r.getLoggedDate().getTime() >= firstTask)
        .map(r -> r.getMethod() + " " + r.getUrl() + " at " + r.getLoggedDate().getTime()).toList();
    assertEquals(List.of(), late, "ARM calls after " + scenario + "'s first task started at " + firstTask);
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
