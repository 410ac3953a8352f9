package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.ChecksumMismatchException;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferException;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import io.github.amlspark.TransferStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads through AzureMLFiles and through {@code spark.read} with {@code outputFolder}. */
class DatastoreDownloadIT {
  @TempDir
  Path dir;
  BlobContainerClient container;
  BlobProxy proxy;
  Path config;
  AzureMLFiles files;

  @BeforeEach
  void setUp() throws IOException {
    container = TestEnvironment.newContainer("download");
    proxy = new BlobProxy(TestEnvironment.azurite().accountUrl());
    config = TestEnvironment.workspaceConfig(dir, "ds", container, proxy.accountUrl("devstoreaccount1"));
    files = AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(config.toString()).build();
  }

  @AfterEach
  void tearDown() {
    proxy.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void seedExampleKeepsTheFullPathUnderTheOutputFolder() {
    TestEnvironment.put(container, "foo/bar/1.txt", bytes("one"));
    TestEnvironment.put(container, "foo/bar/2.txt", bytes("two"));
    TestEnvironment.put(container, "other/3.txt", bytes("three"));
    Path outputs = dir.resolve("outputs");

    TransferReport report = files.downloadFromDatastore("ds", "foo/bar", outputs.toString());

    assertEquals(2, report.transferred());
    assertEquals(0, report.failed());
    assertEquals(6, report.bytes());
    assertArrayEquals(bytes("one"), TestEnvironment.read(outputs.resolve("foo/bar/1.txt")));
    assertArrayEquals(bytes("two"), TestEnvironment.read(outputs.resolve("foo/bar/2.txt")));
    assertFalse(Files.exists(outputs.resolve("other")));
    FileTransfer one = report.files().stream().filter(f -> f.path().equals("foo/bar/1.txt")).findFirst().orElseThrow();
    assertEquals(outputs.resolve("foo/bar/1.txt").toString(), one.file());
    assertEquals(TransferStatus.TRANSFERRED, one.status());
    assertNull(one.error());
  }

  @Test
  void overwriteFalseSkipsTrueReplacesIfDifferentComparesSizeAndMd5() throws IOException {
    TestEnvironment.put(container, "a.txt", bytes("remote-a"));
    TestEnvironment.put(container, "b.txt", bytes("remote-b"));
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    Files.write(out.resolve("a.txt"), bytes("local-a!"));   // same size, different bytes

    TransferReport never = files.downloadFromDatastore("ds", "", out.toString());
    assertEquals(1, never.skipped());
    assertEquals(1, never.transferred());
    assertArrayEquals(bytes("local-a!"), TestEnvironment.read(out.resolve("a.txt")));

    proxy.reset();
    TransferReport ifDifferent = files.downloadFromDatastore("ds", "", out.toString(),
        TransferOptions.defaults().overwrite(OverwriteMode.IF_DIFFERENT));
    assertEquals(1, ifDifferent.transferred(), "a.txt differs in content, so it is replaced");
    assertEquals(1, ifDifferent.skipped(), "b.txt matches size and MD5");
    assertEquals(1, proxy.blobGets(), "the matching file is not fetched");
    assertArrayEquals(bytes("remote-a"), TestEnvironment.read(out.resolve("a.txt")));

    Files.write(out.resolve("b.txt"), bytes("changed"));
    TransferReport always = files.downloadFromDatastore("ds", "", out.toString(), true, false);
    assertEquals(2, always.transferred());
    assertArrayEquals(bytes("remote-b"), TestEnvironment.read(out.resolve("b.txt")));
  }

  @Test
  void readWithOutputFolderReturnsTheTransferSchemaAndSkipsOnSecondEvaluation() throws IOException {
    TestEnvironment.put(container, "x/1.bin", TestEnvironment.random(1000, 1));
    TestEnvironment.put(container, "x/2.bin", TestEnvironment.random(2000, 2));
    Path out = dir.resolve("spark-out");
    Dataset<Row> df = TestEnvironment.spark().read().format("azureml")
        .option("workspaceConfig", config.toString()).option("datastore", "ds").option("prefix", "x/")
        .option("outputFolder", out.toUri().toString()).load();
    assertEquals("path STRING NOT NULL,file STRING,length BIGINT NOT NULL,contentMd5 STRING,"
        + "status STRING NOT NULL,checksumVerified BOOLEAN NOT NULL,error STRING", df.schema().toDDL());

    Map<String, String> first = df.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(4)));
    assertEquals(Map.of("x/1.bin", "TRANSFERRED", "x/2.bin", "TRANSFERRED"), first);
    assertArrayEquals(TestEnvironment.random(2000, 2), TestEnvironment.read(out.resolve("x/2.bin")));
    // Each evaluation transfers again; the default overwrite=false skips what is there.
    assertEquals(2, df.filter("status = 'SKIPPED'").count());
  }

  @Test
  void validateChecksumAsksEveryRangeForItsMd5AndRetriesACorruptBody() throws IOException {
    byte[] big = TestEnvironment.random(9 * 1024 * 1024, 3);
    TestEnvironment.put(container, "ckpt/model.bin", big);
    TestEnvironment.put(container, "ckpt/small.txt", bytes("small"));
    proxy.fail("ckpt/model.bin", BlobProxy.Fault.FLIP_BYTE, 1);

    TransferReport report = files.downloadFromDatastore("ds", "ckpt", dir.resolve("o").toString(),
        TransferOptions.defaults().validateChecksum(true));

    assertEquals(2, report.transferred());
    assertTrue(report.files().stream().allMatch(FileTransfer::checksumVerified));
    assertArrayEquals(big, TestEnvironment.read(dir.resolve("o/ckpt/model.bin")));
    List<BlobProxy.Recorded> gets = proxy.requests().stream().filter(BlobProxy.Recorded::isBlobGet).toList();
    assertEquals(5, gets.size(), "3 ranges + 1 refetch of the corrupt range + the small file");
    for (BlobProxy.Recorded get : gets) {
      assertEquals(List.of("true"), get.headers().get("X-ms-range-get-content-md5"));
      String[] range = get.headers().get("X-ms-range").get(0).replace("bytes=", "").split("-");
      assertTrue(Long.parseLong(range[1]) - Long.parseLong(range[0]) + 1 <= 4 * 1024 * 1024, get.toString());
    }
  }

  @Test
  void aBodyThatStaysCorruptNeverLandsAndTheGoodFilesStillDo() throws IOException {
    TestEnvironment.put(container, "d/bad.bin", TestEnvironment.random(5000, 4));
    TestEnvironment.put(container, "d/good.bin", TestEnvironment.random(6000, 5));
    proxy.fail("d/bad.bin", BlobProxy.Fault.FLIP_BYTE, 1000);
    Path out = dir.resolve("o");

    ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
        () -> files.downloadFromDatastore("ds", "d/", out.toString(),
            TransferOptions.defaults().validateChecksum(true)));

    assertTrue(e.getMessage().contains("d/bad.bin"), e.getMessage());
    assertEquals(1, e.report().failed());
    assertEquals(1, e.report().transferred());
    FileTransfer bad = e.report().failures().get(0);
    assertTrue(bad.error().startsWith("Checksum mismatch"), bad.error());
    assertFalse(Files.exists(out.resolve("d/bad.bin")), "a corrupt file never reaches its final path");
    assertArrayEquals(TestEnvironment.random(6000, 5), TestEnvironment.read(out.resolve("d/good.bin")));
    assertEquals(List.of(out.resolve("d/good.bin")), TestEnvironment.files(out), "no temporary file is left behind");
  }

  @Test
  void withoutValidationACorruptBodyIsCaughtByTheDefaultContentMd5CheckAndFetchedAgain() throws IOException {
    // The blob has the Content-MD5 the service computed on Put Blob: no option is needed to catch this.
    TestEnvironment.put(container, "e/f.bin", TestEnvironment.random(5000, 6));
    proxy.fail("e/f.bin", BlobProxy.Fault.FLIP_BYTE, 1);
    Path o = dir.resolve("o");
    TransferReport report = files.downloadFromDatastore("ds", "e/", o.toString());
    assertEquals(1, report.transferred());
    assertTrue(report.files().get(0).checksumVerified());
    assertArrayEquals(TestEnvironment.random(5000, 6), TestEnvironment.read(o.resolve("e/f.bin")));
  }

  @Test
  void checkMd5FalseLetsTheSameCorruptionThroughAndTheRowSaysUnverified() {
    // Documents what the default check buys: turned off, the corrupt body lands.
    TestEnvironment.put(container, "u/f.bin", TestEnvironment.random(5000, 16));
    proxy.fail("u/f.bin", BlobProxy.Fault.FLIP_BYTE, 1);
    Path o = dir.resolve("u");
    List<Row> rows = TestEnvironment.spark().read().format("azureml").option("workspaceConfig", config.toString())
        .option("datastore", "ds").option("prefix", "u/").option("outputFolder", o.toString())
        .option("checkMd5", "false").load().collectAsList();
    assertEquals("TRANSFERRED", rows.get(0).getAs("status"));
    assertFalse((Boolean) rows.get(0).getAs("checksumVerified"));
  }

  @Test
  void aConnectionCutMidBodyIsRetriedAndOneThatKeepsFailingLeavesNoFile() throws IOException {
    TestEnvironment.put(container, "c/once.bin", TestEnvironment.random(100_000, 7));
    proxy.fail("c/once.bin", BlobProxy.Fault.CUT_SHORT, 1);
    TransferReport report = files.downloadFromDatastore("ds", "c/", dir.resolve("o1").toString());
    assertEquals(1, report.transferred());
    assertArrayEquals(TestEnvironment.random(100_000, 7), TestEnvironment.read(dir.resolve("o1/c/once.bin")));

    proxy.fail("c/once.bin", BlobProxy.Fault.CUT_SHORT, 1000);
    Path out = dir.resolve("o2");
    TransferException e;
    try (SessionConf retries = SessionConf.shortRetries()) {
      e = assertThrows(TransferException.class, () -> files.downloadFromDatastore("ds", "c/", out.toString()));
    }
    assertFalse(e instanceof ChecksumMismatchException);
    assertEquals(1, e.report().failed());
    assertEquals(List.of(), TestEnvironment.files(out), "neither a partial file nor a temporary one is left");
  }

  @Test
  void downloadsIntoAHadoopUri() {
    TestEnvironment.put(container, "h/1.txt", bytes("hadoop"));
    String uri = dir.resolve("hadoop-out").toUri().toString();
    TransferReport report = files.downloadFromDatastore("ds", "h/", uri);
    assertEquals(1, report.transferred());
    assertArrayEquals(bytes("hadoop"), TestEnvironment.read(dir.resolve("hadoop-out/h/1.txt")));
  }
}
