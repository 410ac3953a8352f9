package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobHttpHeaders;
import io.github.amlspark.spark.SparkInternals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Downloads under faults on the real wire between the connector and Azurite (through {@link BlobProxy}):
 * each fault either heals through a retry, and then every file lands whole, or ends in a FAILED row naming
 * it; no partial or corrupt file ever reaches a final path, retries show in the metrics, and nothing hangs.
 */
class DownloadFaultsIT {
  private static final int MIB = 1024 * 1024;
  /** Streamed as two 10 MiB ranges without validateChecksum, five 4 MiB ranges with it. */
  private static final int BIG = 20 * MIB;
  private static final int SMALL = 100_000;
  private static final Duration BOUND = Duration.ofSeconds(90);

  @TempDir
  Path dir;
  BlobContainerClient container;
  BlobProxy proxy;
  Path config;

  @BeforeEach
  void setUp() throws IOException {
    container = TestEnvironment.newContainer("faults");
    proxy = new BlobProxy(TestEnvironment.azurite().accountUrl());
    config = TestEnvironment.workspaceConfig(dir, "ds", container, proxy.accountUrl("devstoreaccount1"));
  }

  @AfterEach
  void tearDown() {
    proxy.close();
  }

  /** The outcome of one download through {@code spark.read}: its rows by path and its plan's metrics. */
  record Outcome(Map<String, Row> rows, Map<String, Long> metrics) {
    String status(String path) {
      return rows.get(path).getString(4);
    }

    String error(String path) {
      return rows.get(path).getString(6);
    }

    boolean verified(String path) {
      return rows.get(path).getBoolean(5);
    }
  }

  private Outcome download(Path out, Map<String, String> options) {
    return assertTimeoutPreemptively(BOUND, () -> {
      Dataset<Row> df = TestEnvironment.spark().read().format("azureml")
          .option("workspaceConfig", config.toString()).option("datastore", "ds").option("prefix", "f/")
          .option("outputFolder", out.toString()).option("idleTimeout", "1s").option("retryTimeout", "20s")
          .options(options).load();
      Map<String, Row> rows = new HashMap<>();
      for (Row r : df.collectAsList()) {
        rows.put(r.getString(0), r);
      }
      return new Outcome(rows, PlanMetrics.of(SparkInternals.queryExecution(df).executedPlan()));
    }, "the download finished within " + BOUND);
  }

  private void seed() {
    TestEnvironment.put(container, "f/small.bin", TestEnvironment.random(SMALL, 1));
    TestEnvironment.put(container, "f/big.bin", TestEnvironment.random(BIG, 2));
  }

  private void assertAllWhole(Path out) throws IOException {
    assertArrayEquals(TestEnvironment.random(SMALL, 1), Files.readAllBytes(out.resolve("f/small.bin")));
    assertArrayEquals(TestEnvironment.random(BIG, 2), Files.readAllBytes(out.resolve("f/big.bin")));
    assertEquals(List.of(out.resolve("f/big.bin"), out.resolve("f/small.bin")), TestEnvironment.files(out),
        "no temporary file is left");
  }

  static Stream<Arguments> transientFaults() {
    return Stream.of(BlobProxy.Fault.RESET_MID_BODY, BlobProxy.Fault.CUT_SHORT, BlobProxy.Fault.STALL,
            BlobProxy.Fault.BUSY_503, BlobProxy.Fault.ERROR_500)
        .flatMap(f -> Stream.of(Arguments.of(f, "f/small.bin"), Arguments.of(f, "f/big.bin")));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("transientFaults")
  void aFaultThatClearsIsRetriedAndEveryFileLandsWhole(BlobProxy.Fault fault, String target) throws IOException {
    seed();
    proxy.stallFor(3_000);
    proxy.fail(target, fault, 2);
    Path out = dir.resolve("out");

    Outcome o = download(out, Map.of());

    assertEquals("TRANSFERRED", o.status("f/small.bin"), o.rows().toString());
    assertEquals("TRANSFERRED", o.status("f/big.bin"), o.rows().toString());
    assertAllWhole(out);
    assertEquals(2, proxy.faultsInjected());
    assertTrue(o.metrics().get("retries") >= 2, "both faults were retried: " + o.metrics());
    assertEquals(0L, o.metrics().get("filesFailed"), o.metrics().toString());
  }

  static Stream<Arguments> persistentFaults() {
    // A persistent fault mid-body of a long range makes progress at every try (the proxy sends half of
    // what is asked), and progress restarts the policy: the small file shows the policy's bound alone.
    return Stream.of(
        Arguments.of(BlobProxy.Fault.BUSY_503, "f/big.bin", "HTTP 503 ServerBusy"),
        Arguments.of(BlobProxy.Fault.ERROR_500, "f/small.bin", "HTTP 500 InternalError"),
        Arguments.of(BlobProxy.Fault.STALL, "f/small.bin", "the body stalled"),
        Arguments.of(BlobProxy.Fault.RESET_MID_BODY, "f/small.bin", "failed"),
        Arguments.of(BlobProxy.Fault.CUT_SHORT, "f/small.bin", "the body was cut short"),
        Arguments.of(BlobProxy.Fault.WHOLE_BODY_200, "f/big.bin", "the whole blob (HTTP 200) instead of the range"));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("persistentFaults")
  void aFaultThatPersistsFailsOnlyItsFileNamingTheFaultAndWritesNothing(BlobProxy.Fault fault, String target,
      String named) throws IOException {
    seed();
    proxy.stallFor(1_500);
    proxy.fail(target, fault, 10_000);
    Path out = dir.resolve("out");
    String healthy = target.equals("f/big.bin") ? "f/small.bin" : "f/big.bin";

    Outcome o = download(out, Map.of("retryTimeout", "3s"));

    assertEquals("TRANSFERRED", o.status(healthy));
    assertEquals("FAILED", o.status(target));
    assertTrue(o.error(target).contains(named), o.error(target));
    assertFalse(Files.exists(out.resolve(target)), "no partial file at the final path");
    assertEquals(List.of(out.resolve(healthy)), TestEnvironment.files(out), "no temporary file is left");
    assertEquals(1L, o.metrics().get("filesFailed"));
    if (fault != BlobProxy.Fault.WHOLE_BODY_200) {
      assertTrue(o.error(target).contains("gave up after"), o.error(target));
      assertTrue(o.metrics().get("retries") >= 1, o.metrics().toString());
    }
  }

  /**
   * Small GETs take the JDK's blocking client when the JVM keeps enough of its connections for reuse
   * ({@code http.maxConnections}, as bin/amlspark sets it), else the asynchronous one: the proxy tells them
   * apart by the User-Agent each sends.
   */
  @Test
  void smallGetsTakeTheBlockingClientOnlyWhenItsPoolHoldsTheGetsInFlight() throws IOException {
    seed();
    download(dir.resolve("async"), Map.of());
    assertEquals(List.of("Java-http-client"), smallGetClients());
    proxy.reset();

    withBlockingPool(() -> download(dir.resolve("blocking"), Map.of()));

    assertEquals(List.of("Java"), smallGetClients());
  }

  static Stream<Arguments> smallBlobFaults() {
    return Stream.of(
        Arguments.of(BlobProxy.Fault.RESET_MID_BODY, 2, null),
        Arguments.of(BlobProxy.Fault.CUT_SHORT, 2, null),
        Arguments.of(BlobProxy.Fault.STALL, 2, null),
        Arguments.of(BlobProxy.Fault.BUSY_503, 2, null),
        Arguments.of(BlobProxy.Fault.STALL, 10_000, "the body stalled"),
        Arguments.of(BlobProxy.Fault.CUT_SHORT, 10_000, "the body was cut short"),
        Arguments.of(BlobProxy.Fault.WHOLE_BODY_200, 10_000, null));
  }

  /** The blocking client's small GETs under the same faults: healed by a retry, or failing only their file. */
  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("smallBlobFaults")
  void smallGetsOverTheBlockingClientHealOrFailOnlyTheirFile(BlobProxy.Fault fault, int times, String named)
      throws IOException {
    seed();
    proxy.stallFor(1_500);
    proxy.fail("f/small.bin", fault, times);
    Path out = dir.resolve("out");

    // A persistent fault gives up after a short retry policy; one that clears gets the default.
    Outcome o = withBlockingPool(() -> download(out, named == null ? Map.of() : Map.of("retryTimeout", "3s")));

    assertEquals(List.of("Java"), smallGetClients());
    assertEquals("TRANSFERRED", o.status("f/big.bin"));
    if (named == null) {
      assertEquals("TRANSFERRED", o.status("f/small.bin"), o.rows().toString());
      assertAllWhole(out);
    } else {
      assertEquals("FAILED", o.status("f/small.bin"));
      assertTrue(o.error("f/small.bin").contains(named), o.error("f/small.bin"));
      assertEquals(List.of(out.resolve("f/big.bin")), TestEnvironment.files(out), "no partial or temporary file");
    }
  }

  /** @return the clients (User-Agent up to its version) that sent the GETs of f/small.bin */
  private List<String> smallGetClients() {
    return proxy.requests().stream().filter(BlobProxy.Recorded::isBlobGet)
        .filter(r -> r.path().endsWith("small.bin"))
        // The proxy's server spells every header name as "User-agent" does.
        .map(r -> r.headers().getOrDefault("User-agent", List.of("none")).get(0).replaceFirst("/.*", ""))
        .distinct().toList();
  }

  /** Runs the work with the JVM's blocking-client pool set large enough for a task's GETs in flight. */
  private static <T> T withBlockingPool(java.util.function.Supplier<T> work) {
    String before = System.getProperty("http.maxConnections");
    System.setProperty("http.maxConnections", "64");
    try {
      return work.get();
    } finally {
      if (before == null) {
        System.clearProperty("http.maxConnections");
      } else {
        System.setProperty("http.maxConnections", before);
      }
    }
  }

  @Test
  void aSmallBlobFetchedWholeMayBeAnsweredWith200() throws IOException {
    seed();
    proxy.fail("f/small.bin", BlobProxy.Fault.WHOLE_BODY_200, 10_000);
    Path out = dir.resolve("out");

    Outcome o = download(out, Map.of());

    assertEquals("TRANSFERRED", o.status("f/small.bin"));
    assertAllWhole(out);
    assertTrue(proxy.faultsInjected() >= 1);
  }

  @Test
  void retryAfterIsHonoured() throws IOException {
    seed();
    proxy.fail("f/small.bin", BlobProxy.Fault.BUSY_503, 2);
    Path out = dir.resolve("out");

    long start = System.nanoTime();
    Outcome o = download(out, Map.of());
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertEquals("TRANSFERRED", o.status("f/small.bin"));
    assertAllWhole(out);
    assertTrue(millis >= 2_000, "two answers of Retry-After: 1 were waited out: " + millis + " ms");
  }

  static Stream<Arguments> corruption() {
    // validateChecksum, whether the blob has a Content-MD5, the blob's size
    return Stream.of(false, true).flatMap(validate -> Stream.of(true, false).flatMap(hasMd5 ->
        Stream.of(Arguments.of(validate, hasMd5, SMALL), Arguments.of(validate, hasMd5, BIG))));
  }

  private void seedCorruptible(int size, boolean hasMd5) {
    TestEnvironment.put(container, "f/data.bin", TestEnvironment.random(size, 3));
    if (!hasMd5) {
      container.getBlobClient("f/data.bin").setHttpHeaders(new BlobHttpHeaders());
    }
  }

  @ParameterizedTest(name = "validateChecksum={0}, Content-MD5={1}, {2} bytes")
  @MethodSource("corruption")
  void aFlippedByteIsCaughtWheneverAnMd5CanCatchIt(boolean validate, boolean hasMd5, int size)
      throws IOException {
    seedCorruptible(size, hasMd5);
    proxy.fail("f/data.bin", BlobProxy.Fault.FLIP_BYTE, 1);
    Path out = dir.resolve("out");

    Outcome o = download(out, Map.of("validateChecksum", String.valueOf(validate)));

    assertEquals("TRANSFERRED", o.status("f/data.bin"), o.rows().toString());
    boolean detectable = validate || hasMd5;
    assertEquals(detectable, o.verified("f/data.bin"), "checksumVerified says whether a comparison was made");
    if (detectable) {
      assertArrayEquals(TestEnvironment.random(size, 3), Files.readAllBytes(out.resolve("f/data.bin")),
          "the corrupt body was caught and fetched again");
      assertTrue(o.metrics().get("retries") >= 1, o.metrics().toString());
    }
    assertEquals(List.of(out.resolve("f/data.bin")), TestEnvironment.files(out));
  }

  @ParameterizedTest(name = "validateChecksum={0}, {2} bytes")
  @MethodSource("corruption")
  void aByteThatStaysFlippedFailsAndNothingLands(boolean validate, boolean hasMd5, int size) throws IOException {
    if (!validate && !hasMd5) {
      return; // nothing to compare with: covered by the case above (checksumVerified=false)
    }
    seedCorruptible(size, hasMd5);
    proxy.fail("f/data.bin", BlobProxy.Fault.FLIP_BYTE, 10_000);
    Path out = dir.resolve("out");

    Outcome o = download(out, Map.of("validateChecksum", String.valueOf(validate)));

    assertEquals("FAILED", o.status("f/data.bin"));
    assertTrue(o.error("f/data.bin").startsWith("Checksum mismatch"), o.error("f/data.bin"));
    assertEquals(List.of(), TestEnvironment.files(out), "no corrupt or temporary file");
    assertTrue(o.metrics().get("checksumFailures") >= 1, o.metrics().toString());
  }
}
