package io.github.amlspark.harness;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.sun.management.OperatingSystemMXBean;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.transfer.Md5;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Issue 11's benchmark: amlspark run as users run it (a fresh {@code bin/amlspark} process per transfer,
 * and later calls in a long-lived session) beside the emulator's ceiling (8 curl processes in parallel)
 * and an 8-thread Azure SDK tool ({@link SdkTool}, a fresh JVM per run), on one in-memory Azurite, in one
 * run. Each round runs every scenario once per contender, so that the shared machine's drift falls on all
 * of them alike. Run it with {@code bin/benchmark cold [runs] [--quick] [--profile]} (docs/benchmark.md).
 */
public final class ColdBenchmark implements AutoCloseable {
  private static final int CURLS = 8;

  /** The data set: small blobs, large blobs. */
  private record Sizes(int smallFiles, int smallSize, int largeFiles, int largeSize) {
  }

  private static final Sizes FULL = new Sizes(2000, 16 * 1024, 2, 256 * 1024 * 1024);
  private static final Sizes QUICK = new Sizes(200, 16 * 1024, 2, 32 * 1024 * 1024);

  /**
   * One row of the table.
   *
   * @param label the row's name
   * @param large the large set (else the small one)
   * @param md5 whole files checked against their Content-MD5 (amlspark's default); downloads only
   * @param upload an upload of the local copy (else a download)
   */
  private record Scenario(String label, boolean large, boolean md5, boolean upload) {
    String datastore() {
      return upload ? "uploads" : large ? "large" : "small";
    }
  }

  private static final List<Scenario> SCENARIOS = List.of(
      new Scenario("download small", false, false, false),
      new Scenario("download large", true, false, false),
      new Scenario("download small, MD5 checked", false, true, false),
      new Scenario("download large, MD5 checked", true, true, false),
      new Scenario("upload small", false, false, true),
      new Scenario("upload large", true, false, true));

  /**
   * One timed process: its in-process time (NaN when it has none), its whole wall time, the CPU time it
   * and its children used (user + system: less sensitive than wall time to other work on the machine),
   * its peak RSS, and the CPU time the emulator used meanwhile (with the process's own, what the 2 cores
   * had to give: a sum near twice the wall time means the machine's CPU bounds the run).
   */
  private record Sample(double inProcess, double whole, double cpu, long rssMiB, double emulatorCpu) {
  }

  private final Path repo = Path.of(System.getProperty("amlspark.repo", "."));
  /** Only the warm rows, amlspark's beside the curls', with no SDK tool. */
  private boolean warmOnly;
  /**
   * Untimed calls of each contender per scenario before the timed warm calls: a session's first calls
   * still pay C2's compilation (about 1.3 CPU seconds each for the first five small downloads, on a core the
   * emulator needs), which a long-lived session stops paying after a handful of calls.
   */
  private int warmups = 5;
  private final Path work;
  private Azurite azurite;
  private final Map<String, BlobContainerClient> containers = new LinkedHashMap<>();
  private final Map<String, String> containerUrls = new LinkedHashMap<>();
  private final Path config;
  private final Path smallSource;
  private final Path largeSource;
  private final Sizes sizes;
  private int serial;
  private List<Scenario> scenarios = SCENARIOS;

  private ColdBenchmark(Path work, Azurite azurite, Sizes sizes) throws Exception {
    this.work = work;
    this.azurite = azurite;
    this.sizes = sizes;
    LocalWorkspace workspace = new LocalWorkspace();
    for (String name : List.of("small", "large", "uploads")) {
      workspace.withKeyDatastore(name, azurite.accountUrl(), name, Azurite.ACCOUNT_KEY);
    }
    seedEmulator();
    smallSource = work.resolve("source-small");
    largeSource = work.resolve("source-large");
    Seed.smallFiles(smallSource, sizes.smallFiles(), sizes.smallSize());
    Seed.largeFiles(largeSource, sizes.largeFiles(), sizes.largeSize());
    config = workspace.writeTo(work.resolve("config.json"));
    for (String name : List.of("small", "large")) {
      writeCurlDownloadChunks(name);
    }
    // bin/harness builds bin/amlspark's class-data-sharing archive after a build: here, not in a timed run.
    new ProcessBuilder(repo.resolve("bin/amlspark").toString(), "--version").inheritIO().start().waitFor();
    Benchmark.sync();
  }

  /** Creates the containers and their SAS URLs on the current emulator, and the blobs to download. */
  private void seedEmulator() throws Exception {
    BlobServiceClient service = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
        .buildClient();
    for (String name : List.of("small", "large", "uploads")) {
      BlobContainerClient container = service.createBlobContainer(name);
      containers.put(name, container);
      String sas = container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusDays(1),
          new BlobContainerSasPermission().setReadPermission(true).setListPermission(true)
              .setWritePermission(true).setCreatePermission(true)));
      containerUrls.put(name, container.getBlobContainerUrl() + "?" + sas);
    }
    System.out.printf(Locale.ROOT, "seeding %d x %d KiB and %d x %d MiB blobs...%n", sizes.smallFiles(),
        sizes.smallSize() >> 10, sizes.largeFiles(), sizes.largeSize() >> 20);
    Seed.smallBlobs(containers.get("small"), sizes.smallFiles(), sizes.smallSize());
    Seed.largeBlobs(containers.get("large"), sizes.largeFiles(), sizes.largeSize());
  }

  /**
   * A fresh emulator on the same port (so the workspace's config and curl's lists stay right) for the warm
   * rows: the in-memory emulator holds at most half the machine's memory and frees deleted blobs only every
   * ten minutes, so the cold rounds' gigabytes of uploads would fill it; and it slows as its store fills.
   */
  private void restartEmulator() throws Exception {
    int port = azurite.port();
    azurite.close();
    azurite = Azurite.start(Azurite.harnessHome(), port);
    seedEmulator();
    for (String name : List.of("small", "large")) {
      writeCurlDownloadChunks(name);
    }
    Benchmark.sync();
  }

  @Override
  public void close() {
    azurite.close();
  }

  /**
   * @param args optional: runs per cell (default 3, 1 with {@code --quick}); {@code --quick} for 200 small
   *     files and 2 x 32 MiB; {@code --profile} for one profiled cold download of each set instead of the
   *     table; {@code --only=<scenario>} (e.g. {@code "--only=download small"}, repeatable) for some rows;
   *     {@code --warm-only} for the warm rows alone, amlspark and curl, on a fresh emulator;
   *     {@code --warmups=N} for the untimed calls before the warm ones (default 5)
   * @throws Exception when the benchmark cannot run
   */
  public static void main(String[] args) throws Exception {
    List<String> flags = List.of(args);
    boolean quick = flags.contains("--quick");
    int runs = flags.stream().filter(a -> a.matches("\\d+")).map(Integer::parseInt).findFirst()
        .orElse(quick ? 1 : 3);
    Path work = Files.createTempDirectory("amlspark-coldbench");
    try (ColdBenchmark bench = new ColdBenchmark(work, Azurite.start(Azurite.harnessHome(), 0), quick ? QUICK : FULL)) {
      if (flags.contains("--profile")) {
        bench.profile();
      } else {
        List<String> only = flags.stream().filter(f -> f.startsWith("--only=")).map(f -> f.substring(7)).toList();
        if (!only.isEmpty()) {
          bench.scenarios = SCENARIOS.stream().filter(sc -> only.contains(sc.label())).toList();
        }
        bench.warmOnly = flags.contains("--warm-only");
        flags.stream().filter(f -> f.startsWith("--warmups=")).findFirst()
            .ifPresent(f -> bench.warmups = Integer.parseInt(f.substring(10)));
        bench.table(runs);
      }
    } finally {
      Benchmark.deleteTree(work);
    }
  }

  private void table(int runs) throws Exception {
    Map<String, List<Double>> cells = new LinkedHashMap<>();
    List<String> contenders = List.of("curl", "sdk", "amlspark", "curl-same");
    for (int round = 0; round < (warmOnly ? 0 : runs); round++) {
      for (Scenario s : scenarios) {
        for (int c = 0; c < contenders.size(); c++) {
          // Rotated per round, so that no contender always runs first after another's clean-up.
          String who = contenders.get((c + round) % contenders.size());
          Sample sample = switch (who) {
            case "curl" -> curl(s, false);
            case "curl-same" -> curl(s, true);
            case "sdk" -> sdkTool(s);
            default -> amlspark(s);
          };
          System.out.printf(Locale.ROOT, "  round %d, %s, %s: in-process %.2f s, whole %.2f s, CPU %.2f s, "
              + "emulator CPU %.2f s, peak RSS %d MiB%n", round + 1, s.label(), who, sample.inProcess(), sample.whole(),
              sample.cpu(), sample.emulatorCpu(), sample.rssMiB());
          add(cells, s, who + " in", sample.inProcess());
          add(cells, s, who + " whole", sample.whole());
          add(cells, s, who + " cpu", sample.cpu());
          add(cells, s, who + " rss", sample.rssMiB());
          add(cells, s, who + " emulator cpu", sample.emulatorCpu());
        }
      }
    }
    if (!warmOnly) {
      restartEmulator();
    }
    warm(runs, cells);
    print(runs, cells);
  }

  private static void add(Map<String, List<Double>> cells, Scenario s, String what, double value) {
    cells.computeIfAbsent(s.label() + "|" + what, k -> new ArrayList<>()).add(value);
  }

  /**
   * The warm rows: a long-lived local[*] session with the Java API in this JVM, and the SDK tool in one of
   * its own ({@link SdkToolProcess});
   * {@link #warmups} untimed calls of each per scenario (the first one's time kept as the session's first
   * call), then the timed calls, interleaved, each beside both curl ceilings.
   */
  private void warm(int runs, Map<String, List<Double>> cells) throws Exception {
    System.out.println("warm: a long-lived local[*] session in this JVM...");
    SparkSession spark = SparkSession.builder().master("local[*]").appName("amlspark-coldbench")
        .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate();
    try (SdkToolProcess sdk = warmOnly ? null : new SdkToolProcess(repo, work.resolve("sdk-tool.log"))) {
      AzureMLFiles files = AzureMLFiles.builder().spark(spark).workspaceConfig(config.toString()).build();
      for (Scenario s : scenarios) {
        int warmups = warmupsOf(s);
        for (int i = -warmups; i < runs; i++) {
          WarmSample aml = timed(s, out -> {
            spark.conf().set("spark.azureml.checkMd5", String.valueOf(s.md5()));
            if (s.upload()) {
              files.uploadToDatastore(s.datastore(), source(s).toString(), out, TransferOptions.defaults());
            } else {
              files.downloadFromDatastore(s.datastore(), "", out, TransferOptions.defaults());
            }
            return null;
          });
          // The SDK tool warm in a JVM of its own (in this one its garbage and threads were billed to
          // amlspark's calls); --warm-only leaves it out.
          WarmSample tool = warmOnly ? new WarmSample(Double.NaN, Double.NaN, Double.NaN) : timed(s, out -> {
            String url = containerUrls.get(s.datastore());
            return s.upload() ? sdk.call("upload", url, List.of(source(s).toString(), out)).cpu()
                : sdk.call(s.md5() ? "download-md5" : "download", url, List.of(out)).cpu();
          });
          if (i == -warmups) {
            add(cells, s, "amlspark first call of the scenario in the session", aml.seconds());
          }
          if (i < 0) {
            System.out.printf(Locale.ROOT, "  warm-up %d, %s: amlspark %.2f s (CPU %.2f s, emulator %.2f s)%n",
                i + warmups + 1, s.label(), aml.seconds(), aml.cpu(), aml.emulatorCpu());
          } else {
            // The ceilings again beside the warm calls: the emulator slows as its store fills, so the cold
            // rounds' curl figures would flatter later calls.
            Sample ceiling = curl(s, false);
            Sample same = curl(s, true);
            System.out.printf(Locale.ROOT, "  warm %d, %s: amlspark %.2f s (CPU %.2f s, emulator %.2f s), "
                + "sdk %.2f s (CPU %.2f s, emulator %.2f s), curl %.2f s (CPU %.2f s, emulator %.2f s), "
                + "curl doing amlspark's work %.2f s%n", i + 1, s.label(), aml.seconds(), aml.cpu(),
                aml.emulatorCpu(), tool.seconds(), tool.cpu(), tool.emulatorCpu(), ceiling.whole(), ceiling.cpu(),
                ceiling.emulatorCpu(), same.whole());
            add(cells, s, "amlspark warm", aml.seconds());
            add(cells, s, "amlspark warm cpu", aml.cpu());
            add(cells, s, "amlspark warm emulator cpu", aml.emulatorCpu());
            add(cells, s, "sdk warm", tool.seconds());
            add(cells, s, "curl warm", ceiling.whole());
            add(cells, s, "curl warm cpu", ceiling.cpu());
            add(cells, s, "curl warm emulator cpu", ceiling.emulatorCpu());
            add(cells, s, "curl-same warm", same.whole());
          }
        }
      }
    } finally {
      spark.stop();
    }
  }

  /**
   * Large uploads get one warm-up call: the in-memory emulator holds at most half the machine's memory and
   * frees deleted blobs only every ten minutes, and their code path is the small uploads', warmed just
   * before.
   */
  private int warmupsOf(Scenario s) {
    return s.upload() && s.large() ? Math.min(1, warmups) : warmups;
  }

  interface Transfer {
    /**
     * @return the CPU seconds of the process that did the transfer, or null when it ran in this JVM
     */
    Double run(String destination) throws Exception;
  }

  /** One warm call: its wall time, the CPU time of the JVM it ran in and the emulator's meanwhile. */
  private record WarmSample(double seconds, double cpu, double emulatorCpu) {
  }

  /** Times one in-JVM transfer into a fresh destination, cleaned up and synced after the timing. */
  private WarmSample timed(Scenario s, Transfer transfer) throws Exception {
    String destination = freshDestination(s);
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu = os.getProcessCpuTime();
    double emulator = azurite.cpuSeconds();
    long start = System.nanoTime();
    Double ownCpu = transfer.run(destination);
    WarmSample sample = new WarmSample((System.nanoTime() - start) / 1e9,
        ownCpu != null ? ownCpu : (os.getProcessCpuTime() - cpu) / 1e9, azurite.cpuSeconds() - emulator);
    cleanUp(s, destination);
    return sample;
  }

  private String freshDestination(Scenario s) {
    String name = "r" + serial++;
    return s.upload() ? name : work.resolve("out").resolve(name).toString();
  }

  /**
   * Checks that the run moved every file (so that no contender is timed on a partial job); then large
   * outputs are deleted (outside the timing) and large uploads removed from the in-memory emulator;
   * thousands of small files stay until the end, since deleting them keeps the file system busy long
   * after a sync. Then a sync, so that the next run starts on a quiet disk.
   */
  private void cleanUp(Scenario s, String destination) throws Exception {
    int expected = s.large() ? sizes.largeFiles() : sizes.smallFiles();
    BlobContainerClient uploads = containers.get("uploads");
    List<String> uploaded = s.upload()
        ? uploads.listBlobs(new ListBlobsOptions().setPrefix(destination + "/"), null).stream().map(BlobItem::getName)
            .toList()
        : List.of();
    long moved;
    if (s.upload()) {
      moved = uploaded.size();
    } else {
      try (Stream<Path> files = Files.walk(Path.of(destination))) {
        moved = files.filter(Files::isRegularFile).count();
      }
    }
    if (moved != expected) {
      throw new IOException(s.label() + " moved " + moved + " files, not " + expected + " (into " + destination + ")");
    }
    // Uploaded blobs are deleted after every run (the emulator's in-memory store slows as it fills);
    // small downloaded files stay until the end (deleting thousands keeps the file system busy).
    if (s.upload()) {
      emptyUploads(uploads);
    } else if (s.large()) {
      Benchmark.deleteTree(Path.of(destination));
    }
    Benchmark.sync();
  }

  /**
   * Drops every uploaded blob by deleting the container and creating it again: one request, where deleting
   * thousands of blobs (and 6 GiB of large ones over a run) one by one left the in-memory emulator busy for
   * minutes, and lost the warm upload rows twice.
   */
  private static void emptyUploads(BlobContainerClient uploads) throws InterruptedException {
    uploads.delete();
    for (int attempt = 1; ; attempt++) {
      try {
        uploads.create();
        return;
      } catch (BlobStorageException e) {
        // 409 while the service still deletes the old container.
        if (e.getStatusCode() != 409 || attempt == 60) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  private Path source(Scenario s) {
    return s.large() ? largeSource : smallSource;
  }

  // ---- the cold contenders: one fresh process each ----

  /**
   * The ceiling: 8 curl processes in parallel, each over its share of the blobs on one connection.
   *
   * @param sameWork also do the rest of what amlspark does for the same result, so that the emulator's and
   *     the machine's figure for amlspark's work stands beside amlspark's: downloads list the container
   *     first (List Blobs with metadata, as amlspark's planning does; the plain ceiling is handed the names)
   *     and force each file to disk ({@code sync -d}, amlspark's force before each rename); uploads hash
   *     every file first ({@code md5sum}) and send its MD5 with each Put Blob for the service to check
   */
  private Sample curl(Scenario s, boolean sameWork) throws Exception {
    String destination = freshDestination(s);
    Path list;
    String script;
    if (s.upload()) {
      list = writeCurlUploadChunks(source(s), destination, sameWork);
      script = sameWork ? "xargs md5sum < \"$1.files\" > /dev/null && exec curl --config \"$1.curl\""
          : "exec curl -sSf -o /dev/null -H 'x-ms-blob-type: BlockBlob' --config \"$1.curl\"";
    } else {
      list = work.resolve("curl-" + s.datastore()).resolve("chunks");
      script = "curl -sSf --create-dirs --output-dir \"$0\" --config \"$1.curl\" && cd \"$0\""
          + (s.md5() ? " && md5sum -c --quiet --status \"$1.md5\"" : "")
          + (sameWork ? " && cut -c35- \"$1.md5\" | xargs sync -d" : "");
    }
    List<String> command = new ArrayList<>();
    if (sameWork && !s.upload()) {
      String url = containerUrls.get(s.datastore());
      String listing = withoutSas(url) + "?restype=container&comp=list&include=metadata&maxresults=5000&"
          + sasOf(url);
      // The listing, then the downloads: one process tree, timed whole.
      command.addAll(List.of("sh", "-c", "curl -sSf -o /dev/null \"$0\" && exec \"$@\"", listing));
    }
    command.addAll(List.of("xargs", "-P", String.valueOf(CURLS), "-I{}", "sh", "-c", script, destination, "{}"));
    Sample sample = process(command, Map.of(), list, null);
    cleanUp(s, destination);
    return sample;
  }

  /** Each small blob's curl config line goes to one of 8 chunks in turn; large blobs one per chunk. */
  private void writeCurlDownloadChunks(String name) throws IOException {
    Path dir = Files.createDirectories(work.resolve("curl-" + name));
    String url = containerUrls.get(name);
    String base = withoutSas(url);
    String sas = "?" + sasOf(url);
    List<StringBuilder> configs = new ArrayList<>();
    List<StringBuilder> md5s = new ArrayList<>();
    int i = 0;
    for (BlobItem b : containers.get(name).listBlobs()) {
      if (configs.size() < CURLS) {
        configs.add(new StringBuilder());
        md5s.add(new StringBuilder());
      }
      configs.get(i % CURLS).append("url = \"").append(base).append('/').append(b.getName()).append(sas)
          .append("\"\noutput = \"").append(b.getName()).append("\"\n");
      md5s.get(i % CURLS).append(HexFormat.of().formatHex(b.getProperties().getContentMd5())).append("  ")
          .append(b.getName()).append('\n');
      i++;
    }
    writeChunks(dir, configs, md5s, List.of());
  }

  /**
   * Each file's curl config lines go to one of 8 chunks in turn. For the same work as amlspark, each
   * transfer carries its own headers (curl's {@code next}), the MD5 among them, and the chunk lists its
   * files for the hashing pass the script times (the headers' MD5 values are computed here, untimed).
   */
  private Path writeCurlUploadChunks(Path source, String remotePath, boolean sameWork) throws IOException {
    Path dir = Files.createDirectories(work.resolve("curl-up-" + remotePath));
    String url = containerUrls.get("uploads");
    String base = withoutSas(url);
    String sas = "?" + sasOf(url);
    List<StringBuilder> configs = new ArrayList<>();
    List<StringBuilder> files = new ArrayList<>();
    try (Stream<Path> all = Files.walk(source)) {
      int i = 0;
      for (Path f : all.filter(Files::isRegularFile).sorted().toList()) {
        if (configs.size() < CURLS) {
          configs.add(new StringBuilder());
          files.add(new StringBuilder());
        }
        StringBuilder config = configs.get(i % CURLS);
        if (sameWork) {
          String md5;
          try (var in = Files.newInputStream(f)) {
            md5 = Base64.getEncoder().encodeToString(Md5.of(in));
          }
          config.append(config.length() > 0 ? "next\n" : "").append("silent\nshow-error\nfail\n")
              .append("output = \"/dev/null\"\nheader = \"x-ms-blob-type: BlockBlob\"\n")
              .append("header = \"Content-MD5: ").append(md5).append("\"\nheader = \"x-ms-blob-content-md5: ")
              .append(md5).append("\"\n");
          files.get(i % CURLS).append(f).append('\n');
        }
        config.append("upload-file = \"").append(f).append("\"\nurl = \"").append(base)
            .append('/').append(remotePath).append('/').append(source.relativize(f)).append(sas).append("\"\n");
        i++;
      }
    }
    return writeChunks(dir, configs, List.of(), sameWork ? files : List.of());
  }

  /** @return a container URL of {@link #containerUrls} without its SAS query */
  private static String withoutSas(String containerUrl) {
    return containerUrl.substring(0, containerUrl.indexOf('?'));
  }

  /** @return the SAS query of a container URL of {@link #containerUrls}, without its '?' */
  private static String sasOf(String containerUrl) {
    return containerUrl.substring(containerUrl.indexOf('?') + 1);
  }

  /** @return the file listing the chunks' base paths, one a line (xargs' input) */
  private static Path writeChunks(Path dir, List<StringBuilder> configs, List<StringBuilder> md5s,
      List<StringBuilder> files) throws IOException {
    StringBuilder list = new StringBuilder();
    for (int c = 0; c < configs.size(); c++) {
      Path chunk = dir.resolve("c" + c);
      Files.writeString(Path.of(chunk + ".curl"), configs.get(c));
      if (!md5s.isEmpty()) {
        Files.writeString(Path.of(chunk + ".md5"), md5s.get(c));
      }
      if (!files.isEmpty()) {
        Files.writeString(Path.of(chunk + ".files"), files.get(c));
      }
      list.append(chunk).append('\n');
    }
    return Files.writeString(dir.resolve("chunks"), list);
  }

  /** The Azure SDK tool as its own JVM, through bin/harness (the classpath bin/amlspark uses). */
  private Sample sdkTool(Scenario s) throws Exception {
    String destination = freshDestination(s);
    List<String> command = new ArrayList<>(List.of(repo.resolve("bin/harness").toString(),
        SdkTool.class.getName()));
    if (s.upload()) {
      command.addAll(List.of("upload", source(s).toString(), destination));
    } else {
      command.addAll(List.of(s.md5() ? "download-md5" : "download", destination));
    }
    // The JDK's default flags, as a user's own tool would run; SDK_TOOL_BENCH_OPTS adds some (e.g. the
    // short-lived flags bin/amlspark uses) to compare.
    Sample sample = process(command, Map.of(SdkTool.CONTAINER_URL_ENV, containerUrls.get(s.datastore()),
        "JAVA_OPTS", System.getenv().getOrDefault("SDK_TOOL_BENCH_OPTS", "")), null, "sdk.seconds=");
    cleanUp(s, destination);
    return sample;
  }

  /** The command line as users run it: bin/amlspark's launcher and flags, with {@link Timed} as main class. */
  private Sample amlspark(Scenario s) throws Exception {
    String destination = freshDestination(s);
    Sample sample = process(amlsparkCommand(s, destination), amlsparkEnv(s, ""), null, Timed.PREFIX);
    cleanUp(s, destination);
    return sample;
  }

  private List<String> amlsparkCommand(Scenario s, String destination) {
    List<String> command = new ArrayList<>(List.of(repo.resolve("bin/harness").toString(), Timed.class.getName()));
    if (s.upload()) {
      command.addAll(List.of("upload", "--datastore", s.datastore(), "--source", source(s).toString(),
          "--remote-path", destination));
    } else {
      command.addAll(List.of("download-datastore", "--datastore", s.datastore(), "--output", destination));
    }
    command.addAll(List.of("--workspace-config", config.toString(), "--no-progress"));
    return command;
  }

  /**
   * checkMd5 is on by default; the unchecked rows turn it off as a user would, a spark.* system property.
   * {@code AMLSPARK_BENCH_OPTS} in the benchmark's environment adds JVM options to every amlspark process
   * (a user's {@code JAVA_OPTS}), for comparing JVM flags.
   */
  private static Map<String, String> amlsparkEnv(Scenario s, String extraJavaOpts) {
    String opts = (s.upload() || s.md5() ? "" : "-Dspark.azureml.checkMd5=false ") + extraJavaOpts + " "
        + System.getenv().getOrDefault("AMLSPARK_BENCH_OPTS", "");
    return Map.of("JAVA_OPTS", opts.trim());
  }

  /**
   * Runs one process under /usr/bin/time (for its peak RSS), timing it from start to exit.
   *
   * @param stdin a file for its standard input, or null
   * @param inProcessPrefix the prefix of the output line holding its own time in seconds, or null
   */
  private Sample process(List<String> command, Map<String, String> env, Path stdin, String inProcessPrefix)
      throws Exception {
    Path timeFile = work.resolve("time.txt");
    Path log = work.resolve("process.log");
    List<String> timed = new ArrayList<>(List.of("/usr/bin/time", "-o", timeFile.toString(), "-f", "%e %U %S %M"));
    timed.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(timed).redirectErrorStream(true).redirectOutput(log.toFile());
    if (stdin != null) {
      builder.redirectInput(stdin.toFile());
    }
    // Nothing of this JVM's own JAVA_OPTS reaches the contenders.
    builder.environment().remove("JAVA_OPTS");
    builder.environment().putAll(env);
    double emulatorBefore = azurite.cpuSeconds();
    long start = System.nanoTime();
    int code = builder.start().waitFor();
    double whole = (System.nanoTime() - start) / 1e9;
    double emulatorCpu = azurite.cpuSeconds() - emulatorBefore;
    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (code != 0) {
      throw new IOException("`" + String.join(" ", command.subList(0, Math.min(2, command.size())))
          + "` exited with code " + code + ":\n" + output);
    }
    String[] time = Files.readString(timeFile).trim().split("\\s+");
    double inProcess = Double.NaN;
    if (inProcessPrefix != null) {
      int at = output.lastIndexOf(inProcessPrefix);
      if (at < 0) {
        throw new IOException("no " + inProcessPrefix + " line in the output of " + command.get(1) + ":\n" + output);
      }
      inProcess = Double.parseDouble(output.substring(at + inProcessPrefix.length()).split("\\s")[0]);
    }
    // The last line: a failed or signalled process has a status line before it.
    int n = time.length;
    return new Sample(inProcess, whole, Double.parseDouble(time[n - 3]) + Double.parseDouble(time[n - 2]),
        Long.parseLong(time[n - 1]) >> 10, emulatorCpu);
  }

  // ---- the table ----

  private static double median(List<Double> v) {
    if (v == null || v.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = v.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private void print(int runs, Map<String, List<Double>> cells) {
    System.out.printf(Locale.ROOT, "%n%d x %d KiB, %d x %d MiB; median of %d run(s); seconds%n%n", sizes.smallFiles(),
        sizes.smallSize() >> 10, sizes.largeFiles(), sizes.largeSize() >> 20, runs);
    System.out.println("| scenario | ceiling: curl x 8, whole process | curl x 8 doing amlspark's work | "
        + "SDK tool, cold: in-process / whole | "
        + "amlspark, cold: in-process / whole | amlspark cold vs SDK (in-process; >1: amlspark faster) | "
        + "amlspark whole - curl | amlspark warm | SDK tool warm | curl x 8 beside the warm calls: plain / "
        + "amlspark's work | amlspark warm vs ceiling (>1: faster): plain / amlspark's work | "
        + "CPU s cold: SDK / amlspark | emulator CPU s beside curl / SDK / amlspark cold | "
        + "warm CPU s, process + emulator: curl / amlspark | peak RSS amlspark cold (max) |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Scenario s : scenarios) {
      double curl = median(cells.get(s.label() + "|curl whole"));
      double sdkIn = median(cells.get(s.label() + "|sdk in"));
      double amlIn = median(cells.get(s.label() + "|amlspark in"));
      double amlWhole = median(cells.get(s.label() + "|amlspark whole"));
      double warm = median(cells.get(s.label() + "|amlspark warm"));
      double rss = cells.getOrDefault(s.label() + "|amlspark rss", List.of()).stream().mapToDouble(Double::doubleValue).max()
          .orElse(0);
      double warmCurl = median(cells.get(s.label() + "|curl warm"));
      double warmSame = median(cells.get(s.label() + "|curl-same warm"));
      System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f / %.2f | %.2f / %.2f | %.2fx | %+.2f | %.2f | %.2f "
          + "| %.2f / %.2f | %.2fx / %.2fx | %.1f / %.1f | %.1f / %.1f / %.1f | %.1f + %.1f / %.1f + %.1f "
          + "| %,.0f MiB |%n", s.label(), curl, median(cells.get(s.label() + "|curl-same whole")), sdkIn,
          median(cells.get(s.label() + "|sdk whole")),
          amlIn, amlWhole, sdkIn / amlIn, amlWhole - curl, warm, median(cells.get(s.label() + "|sdk warm")), warmCurl,
          warmSame, warmCurl / warm, warmSame / warm,
          median(cells.get(s.label() + "|sdk cpu")), median(cells.get(s.label() + "|amlspark cpu")),
          median(cells.get(s.label() + "|curl emulator cpu")), median(cells.get(s.label() + "|sdk emulator cpu")),
          median(cells.get(s.label() + "|amlspark emulator cpu")),
          median(cells.get(s.label() + "|curl warm cpu")), median(cells.get(s.label() + "|curl warm emulator cpu")),
          median(cells.get(s.label() + "|amlspark warm cpu")),
          median(cells.get(s.label() + "|amlspark warm emulator cpu")), rss);
    }
    System.out.println("\nEvery cell's runs (min-max, then each run in order):");
    // curl has no in-process time: its NaN cells are left out.
    cells.entrySet().stream().filter(c -> !c.getValue().get(0).isNaN()).forEach(c -> System.out.printf(Locale.ROOT, "  %s: %s (%s)%n",
        c.getKey().replace("|", ", "), spread(c.getValue()),
        String.join(", ", c.getValue().stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList())));
  }

  private static String spread(List<Double> v) {
    return String.format(Locale.ROOT, "%.2f-%.2f", v.stream().mapToDouble(Double::doubleValue).min().orElse(0),
        v.stream().mapToDouble(Double::doubleValue).max().orElse(0));
  }

  // ---- --profile ----

  /** One cold amlspark download of each set under JFR, and where its time went. */
  private void profile() throws Exception {
    for (Scenario s : List.of(SCENARIOS.get(3), SCENARIOS.get(2))) {
      String destination = freshDestination(s);
      Path recording = work.resolve("profile-" + s.datastore() + ".jfr");
      String jfr = "-XX:StartFlightRecording=filename=" + recording + ",settings=profile,"
          + JfrProfile.EXTRA_SETTINGS;
      Sample sample = process(amlsparkCommand(s, destination), amlsparkEnv(s, jfr), null, Timed.PREFIX);
      System.out.printf(Locale.ROOT, "%n== %s, one cold `bin/amlspark download-datastore` under JFR: in-process %.2f s, "
          + "whole process %.2f s, CPU %.2f s, peak RSS %d MiB%n", s.label(), sample.inProcess(), sample.whole(),
          sample.cpu(), sample.rssMiB());
      JfrProfile.print(recording, Path.of(destination), azurite.port(), System.out);
      cleanUp(s, destination);
    }
  }
}
