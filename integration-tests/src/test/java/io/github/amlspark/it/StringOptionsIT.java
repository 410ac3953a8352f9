package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.TransferReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What PySpark sends: every {@code option()} value is a string ({@code option("checkMd5", False)} arrives as
 * {@code "false"}, and users write {@code "False"}, {@code "TRUE"}, {@code "1048576"}, {@code "1MB"}), and so
 * are the values of SQL {@code OPTIONS (...)} and of session entries set with {@code spark.conf.set}. Each
 * case checks that the value takes effect, not only that it parses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StringOptionsIT {
  static final int SMALL_FILES = 6;
  static final String CORRUPTED = "md5/f.bin";

  @TempDir
  Path dir;
  BlobContainerClient container;
  BlobProxy proxy;
  Path config;
  SparkSession spark = TestEnvironment.spark();

  @BeforeAll
  void seed() throws Exception {
    container = TestEnvironment.newContainer("strings");
    for (int i = 0; i < SMALL_FILES; i++) {
      TestEnvironment.put(container, "small/" + i + ".txt", TestEnvironment.random(100, i));
    }
    // 9 MiB: three 4 MiB ranges with validateChecksum.
    TestEnvironment.put(container, "big/blob.bin", TestEnvironment.random(9 * 1024 * 1024 + 7, 9));
    TestEnvironment.put(container, CORRUPTED, TestEnvironment.random(5000, 16));
    proxy = new BlobProxy(TestEnvironment.azurite().accountUrl());
  }

  @BeforeEach
  void resetProxy() {
    proxy.reset();
    config = TestEnvironment.workspaceConfig(dir, "ds", container, proxy.accountUrl("devstoreaccount1"));
  }

  @AfterAll
  void stopProxy() {
    proxy.close();
  }

  private DataFrameReader reader(String prefix) {
    return spark.read().format("azureml").option("workspaceConfig", config.toString()).option("datastore", "ds")
        .option("prefix", prefix);
  }

  private DataFrameReader download(String prefix, Path out) {
    return reader(prefix).option("outputFolder", out.toString());
  }

  private static Map<String, Object> only(List<Row> report) {
    assertEquals(1, report.size(), report.toString());
    Row row = report.get(0);
    return Map.of("status", row.getAs("status"), "checksumVerified", row.getAs("checksumVerified"));
  }

  /** The messages of an exception and its causes: Spark may wrap what the connector throws. */
  static String messages(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c.getMessage()).append('\n');
    }
    return all.toString();
  }

  @Test
  void checkMd5FalseAsAStringReallyTurnsTheCheckOff() {
    byte[] blob = TestEnvironment.random(5000, 16);
    // The next GET's body has a flipped byte: only the Content-MD5 check can notice.
    proxy.fail(CORRUPTED, BlobProxy.Fault.FLIP_BYTE, 1);
    Path off = dir.resolve("off");
    assertEquals(Map.of("status", "TRANSFERRED", "checksumVerified", false),
        only(download("md5/", off).option("checkMd5", "False").load().collectAsList()));
    assertFalse(java.util.Arrays.equals(blob, TestEnvironment.read(off.resolve(CORRUPTED))),
        "with the check off the corrupt body lands");

    proxy.reset();
    proxy.fail(CORRUPTED, BlobProxy.Fault.FLIP_BYTE, 1);
    Path on = dir.resolve("on");
    assertEquals(Map.of("status", "TRANSFERRED", "checksumVerified", true),
        only(download("md5/", on).option("checkMd5", "TRUE").load().collectAsList()));
    assertEquals(1, proxy.faultsInjected());
    assertArrayEquals(blob, TestEnvironment.read(on.resolve(CORRUPTED)), "caught and fetched again");
  }

  @Test
  void validateChecksumTrueAsAStringAsksForEveryRangesMd5() {
    reader("big/").option("validateChecksum", "True").load().select("content").collectAsList();
    List<BlobProxy.Recorded> gets = proxy.requests().stream().filter(BlobProxy.Recorded::isBlobGet).toList();
    assertEquals(3, gets.size(), "9 MiB in 4 MiB ranges");
    gets.forEach(g -> assertEquals(List.of("true"), g.headers().get("X-ms-range-get-content-md5"), g.toString()));

    proxy.reset();
    reader("big/").option("validateChecksum", " false ").load().select("content").collectAsList();
    gets = proxy.requests().stream().filter(BlobProxy.Recorded::isBlobGet).toList();
    assertFalse(gets.isEmpty());
    gets.forEach(g -> assertEquals(null, g.headers().get("X-ms-range-get-content-md5"), g.toString()));
  }

  @Test
  void sizeStringsChangeHowFilesArePackedIntoTasks() {
    int packed = reader("small/").load().rdd().getNumPartitions();
    assertTrue(packed < SMALL_FILES, "by default several small files share a task: " + packed);
    for (String oneMib : new String[] {"1048576", " 1048576 ", "1m", "1MB", "1024k"}) {
      assertEquals(SMALL_FILES, reader("small/").option("maxPartitionBytes", oneMib).load().rdd().getNumPartitions(),
          "with 1 MiB tasks every file (costing 4 MiB to open) is a task of its own: " + oneMib);
    }
  }

  @Test
  void transferConcurrencyAsAStringBoundsTheRequestsInFlight() {
    reader("big/").option("validateChecksum", "true").option("transferConcurrency", " 1 ").load()
        .select("content").collectAsList();
    assertEquals(1, proxy.maxBlobGetsInFlight(), "one request in flight");
    proxy.reset();
    reader("big/").option("validateChecksum", "true").option("transferConcurrency", "16").load()
        .select("content").collectAsList();
    assertTrue(proxy.maxBlobGetsInFlight() > 1, "the three ranges are fetched together");
  }

  @Test
  void badStringsOnReadsNameTheOptionAndWhatItAccepts() {
    Map<String, String> cases = Map.of(
        "checkMd5", "yes", "validateChecksum", "",
        "maxPartitionBytes", "1 MB", "transferConcurrency", "eight",
        "sasTtl", "8 hours", "overwrite", "sometimes");
    Map<String, String> expected = Map.of(
        "checkMd5", "Option 'checkMd5' must be true or false (in any case), but was 'yes'.",
        "validateChecksum", "Option 'validateChecksum' is empty: it must be true or false (in any case)",
        "maxPartitionBytes", "Option 'maxPartitionBytes' must be a positive size in bytes such as 1048576, 64k, 1m,"
            + " 1MB or 2g, but was '1 MB'.",
        "transferConcurrency", "Option 'transferConcurrency' must be a positive whole number, but was 'eight'.",
        "sasTtl", "Option 'sasTtl' must be a duration such as 30m, 8h or 2d, but was '8 hours'.",
        "overwrite", "Option 'overwrite' must be true, false or ifDifferent (in any case), but was 'sometimes'.");
    Path out = dir.resolve("bad");
    cases.forEach((option, value) -> {
      Exception e = assertThrows(Exception.class,
          () -> download("small/", out).option(option, value).load().collectAsList(), option);
      assertTrue(messages(e).contains(expected.get(option)), option + ": " + messages(e));
    });
    assertEquals(0, proxy.blobGets(), "nothing was fetched");
    assertFalse(Files.exists(out), "nothing was written");
  }

  @Test
  void writeOptionsAsStringsTakeEffect() {
    String cfg = config.toString();
    TestEnvironment.put(container, "w/keep.txt", bytes("original"));
    DataFrames.of("path STRING, content BINARY", new Object[] {"keep.txt", bytes("new")},
            new Object[] {"fresh.txt", bytes("fresh")})
        .write().format("azureml").option("workspaceConfig", cfg).option("datastore", "ds")
        .option("path", "w").option("overwrite", "FALSE").option("validateChecksum", "True")
        .option("transferConcurrency", " 2 ").mode("append").save();
    assertEquals("original", text("w/keep.txt"), "overwrite FALSE keeps the blob");
    assertEquals("fresh", text("w/fresh.txt"));
    assertEquals(List.of(true), putsOf("w/fresh.txt").stream().map(h -> h.containsKey("Content-md5")).toList(),
        "validateChecksum True sends the request's MD5");

    proxy.reset();
    DataFrames.of("path STRING, content BINARY", new Object[] {"keep.txt", bytes("new")})
        .write().format("azureml").option("workspaceConfig", cfg).option("datastore", "ds")
        .option("path", "w").option("overwrite", "TRUE").option("validateChecksum", "false").mode("append").save();
    assertEquals("new", text("w/keep.txt"), "overwrite TRUE replaces the blob");
    assertFalse(putsOf("w/keep.txt").isEmpty());
    putsOf("w/keep.txt").forEach(h -> assertFalse(h.containsKey("Content-md5"), h.toString()));

    for (String[] bad : new String[][] {{"overwrite", ""}, {"validateChecksum", "yes"}, {"transferConcurrency", "0"}}) {
      Exception e = assertThrows(Exception.class, () -> DataFrames.of("path STRING, content BINARY",
              new Object[] {"never.txt", bytes("x")})
          .write().format("azureml").option("workspaceConfig", cfg).option("datastore", "ds")
          .option("path", "w").option(bad[0], bad[1]).mode("append").save());
      assertTrue(messages(e).contains("Option '" + bad[0] + "'"), messages(e));
    }
    assertFalse(container.getBlobClient("w/never.txt").exists());
  }

  @Test
  void sqlOptionsTakeQuotedStringsAndBareLiterals() {
    proxy.fail(CORRUPTED, BlobProxy.Fault.FLIP_BYTE, 1);
    Path out = dir.resolve("sql");
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW str_download USING azureml OPTIONS (workspaceConfig '" + config
        + "', datastore 'ds', prefix 'md5/', outputFolder '" + out + "', checkMd5 'False', "
        + "transferConcurrency ' 4 ', maxPartitionBytes '1MB')");
    assertEquals(List.of("TRANSFERRED false"), spark.sql("SELECT status, checksumVerified FROM str_download")
        .collectAsList().stream().map(r -> r.getString(0) + " " + r.getBoolean(1)).toList());

    // Unquoted: SQL turns FALSE and 1048576 into the strings "false" and "1048576".
    proxy.fail(CORRUPTED, BlobProxy.Fault.FLIP_BYTE, 1);
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW str_download USING azureml OPTIONS (workspaceConfig '" + config
        + "', datastore 'ds', prefix 'md5/', outputFolder '" + dir.resolve("sql2") + "', checkMd5 FALSE, "
        + "overwrite TRUE)");
    assertEquals(List.of("TRANSFERRED false"), spark.sql("SELECT status, checksumVerified FROM str_download")
        .collectAsList().stream().map(r -> r.getString(0) + " " + r.getBoolean(1)).toList());

    spark.sql("CREATE OR REPLACE TEMPORARY VIEW str_files USING azureml OPTIONS (workspaceConfig '" + config
        + "', datastore 'ds', prefix 'small/', maxPartitionBytes 1048576)");
    assertEquals(SMALL_FILES, spark.table("str_files").rdd().getNumPartitions());

    Exception e = assertThrows(Exception.class, () -> {
      spark.sql("CREATE OR REPLACE TEMPORARY VIEW str_bad USING azureml OPTIONS (workspaceConfig '" + config
          + "', datastore 'ds', prefix 'small/', checkMd5 'yes')");
      spark.sql("SELECT path FROM str_bad").collectAsList();
    });
    assertTrue(messages(e).contains("Option 'checkMd5' must be true or false (in any case), but was 'yes'."),
        messages(e));

    TestEnvironment.put(container, "sqlup/a.txt", bytes("original"));
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW str_upload USING azureml OPTIONS (workspaceConfig '" + config
        + "', datastore 'ds', path 'sqlup', overwrite 'TRUE', validateChecksum 'True')");
    proxy.reset();
    spark.sql("INSERT INTO str_upload SELECT 'a.txt' AS path, CAST('alpha' AS BINARY) AS content");
    assertEquals("alpha", text("sqlup/a.txt"));
    assertEquals(List.of(true), putsOf("sqlup/a.txt").stream().map(h -> h.containsKey("Content-md5")).toList());
  }

  @Test
  void sessionEntriesAsStringsReachTheJavaApi() {
    AzureMLFiles files = AzureMLFiles.builder().spark(spark).workspaceConfig(config.toString()).build();
    proxy.fail(CORRUPTED, BlobProxy.Fault.FLIP_BYTE, 1);
    try (SessionConf off = SessionConf.set("spark.azureml.checkMd5", "False")) {
      TransferReport report = files.downloadFromDatastore("ds", "md5/", dir.resolve("api").toString());
      assertEquals(1, report.transferred());
      assertFalse(report.files().get(0).checksumVerified(), "spark.conf.set(\"spark.azureml.checkMd5\", \"False\")");
    }
    try (SessionConf bad = SessionConf.set("spark.azureml.transferConcurrency", "eight")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> files.downloadFromDatastore("ds", "md5/", dir.resolve("api2").toString()));
      assertEquals("Spark conf entry 'spark.azureml.transferConcurrency' must be a positive whole number, but was "
          + "'eight'.", e.getMessage());
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private String text(String blob) {
    return container.getBlobClient(blob).downloadContent().toString();
  }

  /** The headers of the PUTs (Put Blob, Put Block) that wrote a blob. */
  private List<Map<String, List<String>>> putsOf(String blob) {
    return proxy.requests().stream().filter(r -> r.method().equals("PUT"))
        // Names may arrive URL-encoded (w%2Ffresh.txt).
        .filter(r -> java.net.URLDecoder.decode(r.path(), StandardCharsets.UTF_8)
            .endsWith("/" + blob))
        .map(BlobProxy.Recorded::headers).toList();
  }
}
