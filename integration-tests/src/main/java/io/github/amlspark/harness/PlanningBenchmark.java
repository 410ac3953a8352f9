package io.github.amlspark.harness;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.amlspark.config.ReadConf;
import io.github.amlspark.config.ReadRequest;
import io.github.amlspark.planning.PartitionPlanner;
import io.github.amlspark.planning.ReadPlan;
import io.github.amlspark.planning.ReadPlanner;
import io.github.amlspark.spark.SparkInternals;
import io.github.amlspark.spark.read.AzureMLScan;
import io.github.amlspark.workspace.WorkspaceLocator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;

/**
 * Driver-side listing and planning at scale (docs/benchmark.md, "Planning at scale"): 100,000 blobs seeded
 * into Azurite, then listed and planned by each contender in a fresh child JVM with a 512 MiB heap: the
 * emulator's own List Blobs pages fetched alone (its ceiling), the Azure SDK's listing alone, amlspark's
 * {@code ReadPlanner.plan} + {@code PartitionPlanner.pack}, and a whole {@code spark.read.format("azureml")}
 * planned up to its RDD (no job). The same again against generated List Blobs pages of 5,000 served from
 * this JVM, and a million blobs from those pages. Run it with {@code bin/benchmark planning [blobs]};
 * {@code PLANNING_CHILD_OPTS} adds JVM options (such as a JFR recording to {@code /tmp/{run}.jfr}) to the
 * children of contender {@code PLANNING_PROFILE} (default {@code plan}).
 */
public final class PlanningBenchmark {
  private static final String CONTAINER = "scale";
  private static final int PAGE = 5000;
  private static final int PER_FOLDER = 1000;
  private static final String CHILD_HEAP = "-Xmx512m";
  private static final List<String> CONTENDERS = List.of("http", "sdk", "plan", "spark");

  private PlanningBenchmark() {
  }

  /**
   * @param args {@code [blobs, default 100000] [million blobs from generated pages, default 1000000]}, or
   *     {@code --measure contender config url sas expected} in a child JVM
   * @throws Exception when the benchmark cannot run
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--measure")) {
      measure(args[1], args[2], args[3], args[4], Long.parseLong(args[5]));
      return;
    }
    List<String> numbers = Arrays.stream(args).filter(a -> a.matches("\\d+")).toList();
    int blobs = numbers.size() > 0 ? Integer.parseInt(numbers.get(0)) : 100_000;
    int million = numbers.size() > 1 ? Integer.parseInt(numbers.get(1)) : 1_000_000;
    // --generated: the generated pages only (seeding Azurite with 100,000 blobs takes minutes).
    boolean withAzurite = !Arrays.asList(args).contains("--generated");
    Path work = Files.createTempDirectory("amlspark-planning");
    List<String> rows = new ArrayList<>();
    if (withAzurite) {
      azuriteRows(blobs, work, rows);
    }
    generatedRows(blobs, million, work, rows);
    System.out.println();
    System.out.println("| listing served by | contender | blobs | first run (s) | second run (s) | heap kept "
        + "after GC (MiB) | peak heap in use (MiB) | GC time (s) |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|");
    rows.forEach(System.out::println);
    Benchmark.deleteTree(work);
  }

  private static void azuriteRows(int blobs, Path work, List<String> rows) throws Exception {
    try (Azurite azurite = Azurite.start(Azurite.harnessHome(), 0)) {
      BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
          .buildClient().createBlobContainer(CONTAINER);
      long t0 = System.nanoTime();
      int markers = seed(container, blobs);
      System.out.printf(Locale.ROOT, "seeded %,d empty blobs and %,d folder markers into Azurite in %.1f s%n",
          blobs, markers, (System.nanoTime() - t0) / 1e9);
      String sas = container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(2),
          new BlobContainerSasPermission().setReadPermission(true).setListPermission(true)));
      Path config = new LocalWorkspace().withKeyDatastore("scale", azurite.accountUrl(), CONTAINER,
          Azurite.ACCOUNT_KEY).writeTo(work.resolve("azurite.json"));
      for (String c : CONTENDERS) {
        rows.add(child("Azurite", c, config, azurite.accountUrl(), sas, blobs));
      }
    }
  }

  private static void generatedRows(int blobs, int million, Path work, List<String> rows) throws Exception {
    for (int n : new int[] {blobs, million}) {
      try (GeneratedListing listing = GeneratedListing.start(n)) {
        Path config = new LocalWorkspace().withKeyDatastore("scale", listing.accountUrl(), CONTAINER,
            Azurite.ACCOUNT_KEY).writeTo(work.resolve("generated-" + n + ".json"));
        for (String c : n == blobs ? CONTENDERS : List.of("http", "plan")) {
          rows.add(child("generated pages", c, config, listing.accountUrl(), "sv=x", n));
        }
      }
    }
  }

  /** Seeds {@code blobs} empty blobs in folders of 1,000, each folder with a hdi_isfolder marker. */
  private static int seed(BlobContainerClient container, int blobs) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<?>> futures = new ArrayList<>();
    BinaryData empty = BinaryData.fromBytes(new byte[0]);
    int folders = (blobs + PER_FOLDER - 1) / PER_FOLDER;
    for (int f = 0; f < folders; f++) {
      String marker = String.format(Locale.ROOT, "d/%04d", f);
      futures.add(pool.submit(() -> {
        var blob = container.getBlobClient(marker);
        blob.upload(empty, true);
        blob.setMetadata(Map.of("hdi_isfolder", "true"));
      }));
    }
    for (int i = 0; i < blobs; i++) {
      String name = name(i);
      futures.add(pool.submit(() -> container.getBlobClient(name).upload(empty, true)));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    return folders;
  }

  private static String name(long i) {
    return String.format(Locale.ROOT, "d/%04d/blob-%07d.bin", i / PER_FOLDER, i);
  }

  /** Runs one contender in a fresh JVM with a 512 MiB heap and returns its table row. */
  private static String child(String server, String contender, Path config, String accountUrl, String sas,
      long expected) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-Xmx") && !arg.startsWith("-XX:StartFlightRecording")) {
        command.add(arg);
      }
    }
    command.add(CHILD_HEAP);
    String extra = System.getenv("PLANNING_CHILD_OPTS");
    if (extra != null && !extra.isBlank() && contender.equals(System.getenv().getOrDefault(
        "PLANNING_PROFILE", "plan"))) {
      // A profile per child: {run} in the options becomes the listing's server, contender and size.
      String run = (server.startsWith("Azurite") ? "azurite" : "generated") + "-" + contender + "-" + expected;
      command.addAll(List.of(extra.trim().replace("{run}", run).split("\\s+")));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), PlanningBenchmark.class.getName(),
        "--measure", contender, config.toString(), accountUrl + "/" + CONTAINER, sas, String.valueOf(expected)));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String result = null;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("RESULT ")) {
          result = line.substring(7);
        } else if (!line.contains(" INFO ") && !line.contains(" WARN ")) {
          System.out.println("  [" + contender + "] " + line);
        }
      }
    }
    int rc = p.waitFor();
    String row = "| " + server + " | " + contender + " | " + String.format(Locale.ROOT, "%,d", expected) + " | "
        + (result != null ? result : "failed (exit " + rc + ", see above) | | | | |") + " |";
    System.out.println(row);
    return row;
  }

  /** In the child JVM: the contender twice (cold, then warm), then what its second result keeps on the heap. */
  private static void measure(String contender, String config, String containerUrl, String sas, long expected)
      throws Exception {
    HeapSampler sampler = HeapSampler.start();
    SparkSession spark = contender.equals("spark") ? SparkSession.builder().master("local[2]")
        .appName("amlspark-planning").config("spark.ui.enabled", "false").getOrCreate() : null;
    double[] seconds = new double[2];
    Object kept = null;
    for (int run = 0; run < 2; run++) {
      kept = null;
      long t0 = System.nanoTime();
      Counted counted = switch (contender) {
        case "http" -> rawPages(containerUrl, sas);
        case "sdk" -> sdkListing(containerUrl, sas);
        case "plan" -> plan(config);
        case "spark" -> sparkPlan(spark, config);
        default -> throw new IllegalArgumentException(contender);
      };
      seconds[run] = (System.nanoTime() - t0) / 1e9;
      if (counted.files() != expected) {
        throw new IllegalStateException(contender + " found " + counted.files() + " files, expected " + expected);
      }
      kept = counted.result();
    }
    // What the second run's result holds: the heap with it, less the heap once it is dropped.
    long with = retainedBytes();
    Reference.reachabilityFence(kept);
    kept = null;
    long retained = with - retainedBytes();
    double gcSeconds = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(g -> Math.max(0, g.getCollectionTime())).sum() / 1e3;
    System.out.printf(Locale.ROOT, "RESULT %.2f | %.2f | %,d (%,d B per blob) | %,d | %.2f%n", seconds[0], seconds[1],
        retained >> 20, retained / expected, sampler.peak() >> 20, gcSeconds);
    if (spark != null) {
      spark.stop();
    }
  }

  private record Counted(long files, Object result) {
  }

  /** The emulator's ceiling: its List Blobs pages (metadata included, as amlspark asks) fetched and dropped. */
  private static Counted rawPages(String containerUrl, String sas) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Pattern next = Pattern.compile("<NextMarker>([^<]*)</NextMarker>");
    long blobs = 0;
    String marker = "";
    do {
      String url = containerUrl + "?restype=container&comp=list&include=metadata&maxresults=" + PAGE
          + (marker.isEmpty() ? "" : "&marker=" + URLEncoder.encode(marker, StandardCharsets.UTF_8)) + "&" + sas;
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url))
          .header("x-ms-version", "2021-12-02").build(), HttpResponse.BodyHandlers.ofString());
      if (page.statusCode() != 200) {
        throw new IOException("List Blobs answered " + page.statusCode() + ": " + page.body());
      }
      String body = page.body();
      for (int i = body.indexOf("<Blob>"); i >= 0; i = body.indexOf("<Blob>", i + 6)) {
        blobs++;
      }
      Matcher m = next.matcher(body.substring(Math.max(0, body.length() - 400)));
      marker = m.find() ? m.group(1) : "";
    } while (!marker.isEmpty());
    // Folder markers are blobs on the wire; amlspark leaves them out.
    return new Counted(blobs - markersFor(blobs), null);
  }

  private static long markersFor(long listed) {
    // Listed = files + ceil(files / 1000) markers (generated pages have the same shape as the seed).
    return listed - (listed * PER_FOLDER) / (PER_FOLDER + 1);
  }

  /** The Azure SDK's listing alone, with the options amlspark uses (metadata, pages of 5,000). */
  private static Counted sdkListing(String containerUrl, String sas) {
    BlobContainerClient client = new BlobContainerClientBuilder().endpoint(containerUrl).sasToken(sas)
        .buildClient();
    long blobs = 0;
    long folders = 0;
    for (BlobItem item : client.listBlobs(new ListBlobsOptions().setMaxResultsPerPage(PAGE)
        .setDetails(new BlobListDetails().setRetrieveMetadata(true)), null)) {
      blobs++;
      if (item.getMetadata() != null && item.getMetadata().containsKey("hdi_isfolder")) {
        folders++;
      }
    }
    return new Counted(blobs - folders, null);
  }

  private static ReadRequest request(String config) {
    return ReadConf.parse(Map.of("datastore", "scale", "workspaceConfig", config), Map.of());
  }

  /** amlspark's driver-side planning as the scan does it: plan (workspace, SAS, listing), then pack. */
  private static Counted plan(String config) {
    ReadRequest request = request(config);
    ReadPlan plan = ReadPlanner.plan(request, WorkspaceLocator.ofProcess());
    List<?> tasks = PartitionPlanner.pack(plan.files(), request.maxPartitionBytes(), request.openCostInBytes(), 2);
    return new Counted(plan.files().size(), new Object[] {plan, tasks});
  }

  /** A whole DataSource V2 read planned up to its RDD's partitions: analysis, listing, packing, no job. */
  private static Counted sparkPlan(SparkSession spark, String config) {
    var execution = SparkInternals.queryExecution(spark.read().format("azureml").option("datastore", "scale")
        .option("workspaceConfig", config).load());
    var rdd = execution.toRdd();
    rdd.getNumPartitions();
    var scan = (AzureMLScan) ((BatchScanExec) execution.executedPlan().collectLeaves().head()).scan();
    return new Counted(scan.plan().files().size(), rdd);
  }

  private static long retainedBytes() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Polls the heap in use (garbage included) every 5 ms; its maximum bounds what the heap had to hold. */
  private static final class HeapSampler {
    private final AtomicLong peak = new AtomicLong();

    static HeapSampler start() {
      HeapSampler s = new HeapSampler();
      Thread t = new Thread(() -> {
        var memory = ManagementFactory.getMemoryMXBean();
        while (true) {
          s.peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "heap-sampler");
      t.setDaemon(true);
      t.start();
      return s;
    }

    long peak() {
      return peak.get();
    }
  }

  /**
   * List Blobs pages of 5,000 in the service's XML, generated on request from the marker (nothing held):
   * a listing that costs its server nearly nothing, to see the client's own cost. Blob i is
   * {@code d/<i/1000>/blob-<i>.bin}, empty, with a Content-MD5; each folder has a hdi_isfolder marker.
   */
  static final class GeneratedListing implements AutoCloseable {
    private final HttpServer server;
    private final long files;

    private GeneratedListing(HttpServer server, long files) {
      this.server = server;
      this.files = files;
    }

    static GeneratedListing start(long files) throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      GeneratedListing listing = new GeneratedListing(server, files);
      server.createContext("/", listing::serve);
      server.setExecutor(Executors.newFixedThreadPool(2));
      server.start();
      return listing;
    }

    String accountUrl() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + Azurite.ACCOUNT;
    }

    /** Entries in name order: each folder's marker {@code d/NNNN} sorts before its files. */
    private long entries() {
      return files + (files + PER_FOLDER - 1) / PER_FOLDER;
    }

    private void serve(HttpExchange exchange) throws IOException {
      String query = exchange.getRequestURI().getRawQuery();
      long from = 0;
      for (String part : query == null ? new String[0] : query.split("&")) {
        if (part.startsWith("marker=") && part.length() > 7) {
          from = Long.parseLong(part.substring(7));
        }
      }
      long to = Math.min(entries(), from + PAGE);
      StringBuilder xml = new StringBuilder(PAGE * 900);
      xml.append("\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"")
          .append(accountUrl()).append("/\" ContainerName=\"").append(CONTAINER).append("\"><MaxResults>")
          .append(PAGE).append("</MaxResults><Blobs>");
      for (long e = from; e < to; e++) {
        long folder = e / (PER_FOLDER + 1);
        long within = e % (PER_FOLDER + 1);
        boolean marker = within == 0;
        String name = marker ? String.format(Locale.ROOT, "d/%04d", folder) : name(folder * PER_FOLDER + within - 1);
        xml.append("<Blob><Name>").append(name).append("</Name><Properties>"
            + "<Creation-Time>Mon, 01 Dec 2025 12:00:00 GMT</Creation-Time>"
            + "<Last-Modified>Mon, 01 Dec 2025 12:00:00 GMT</Last-Modified>")
            .append(String.format(Locale.ROOT, "<Etag>0x8DE30C4%09X</Etag>", e))
            .append("<Content-Length>0</Content-Length><Content-Type>application/octet-stream</Content-Type>"
                + "<Content-Encoding /><Content-Language /><Content-CRC64 />"
                + "<Content-MD5>1B2M2Y8AsgTpgAmY7PhCfg==</Content-MD5><Cache-Control /><Content-Disposition />"
                + "<BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier>"
                + "<AccessTierInferred>true</AccessTierInferred><LeaseStatus>unlocked</LeaseStatus>"
                + "<LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties>")
            .append(marker ? "<Metadata><hdi_isfolder>true</hdi_isfolder></Metadata>" : "<Metadata />")
            .append("<OrMetadata /></Blob>");
      }
      xml.append("</Blobs>").append(to < entries() ? "<NextMarker>" + to + "</NextMarker>" : "<NextMarker />")
          .append("</EnumerationResults>");
      byte[] body = xml.toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/xml");
      exchange.getResponseHeaders().add("x-ms-version", "2021-12-02");
      exchange.getResponseHeaders().add("x-ms-request-id", "generated-" + from);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }

    @Override
    public void close() {
      server.stop(0);
      ((ExecutorService) server.getExecutor()).shutdownNow();
    }
  }
}
