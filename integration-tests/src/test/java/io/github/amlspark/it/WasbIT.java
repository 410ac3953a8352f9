package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferException;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.spark.HadoopConf;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real non-POSIX Hadoop file system, hadoop-azure's WASB driver on a second Azurite, as the output
 * folder of downloads and as the source of uploads. Its rename moves a file into a folder at the target
 * and never overwrites; downloads must still put only whole files at final paths, never into a folder,
 * never lose a file they replace, and leave no temporary file behind.
 */
class WasbIT {
  /** Not the default "storageemulator": a setting that only the session's broadcast Hadoop conf carries. */
  private static final String EMULATOR_ACCOUNT = "amlemulator";
  private static final String TEMP_SUFFIX = ".amlspark.tmp";

  @TempDir
  Path dir;
  SparkSession spark;
  BlobContainerClient datastore;
  BlobContainerClient wasbContainer;
  String wasbRoot;
  FileSystem wasb;
  AzureMLFiles files;

  @BeforeEach
  void setUp() throws IOException {
    spark = TestEnvironment.spark();
    spark.conf().set("fs.azure.storage.emulator.account.name", EMULATOR_ACCOUNT);
    spark.conf().set("fs.wasb.impl", RacingWasbFileSystem.class.getName());
    // Uncached, so that every executor-side file system is built from the conf the task received.
    spark.conf().set("fs.wasb.impl.disable.cache", "true");
    // WASB's emulator mode has no credentials, so it cannot create its container.
    wasbContainer = new BlobServiceClientBuilder()
        .connectionString(TestEnvironment.wasbAzurite().connectionString()).buildClient()
        .getBlobContainerClient("wasb-" + UUID.randomUUID().toString().substring(0, 8));
    wasbContainer.create();
    wasbRoot = "wasb://" + wasbContainer.getBlobContainerName() + "@" + EMULATOR_ACCOUNT;
    wasb = FileSystem.newInstance(URI.create(wasbRoot + "/"), HadoopConf.of(spark));
    datastore = TestEnvironment.newContainer("wasb");
    Path config = TestEnvironment.workspaceConfig(dir, "ds", datastore);
    files = AzureMLFiles.builder().spark(spark).workspaceConfig(config.toString()).build();
  }

  @AfterEach
  void tearDown() throws IOException {
    wasb.close();
    for (String key : List.of("fs.azure.storage.emulator.account.name", "fs.wasb.impl",
        "fs.wasb.impl.disable.cache")) {
      spark.conf().unset(key);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void write(String path, byte[] content) throws IOException {
    try (FSDataOutputStream out = wasb.create(new org.apache.hadoop.fs.Path(wasbRoot + path))) {
      out.write(content);
    }
  }

  private byte[] wasbBlob(String name) {
    return wasbContainer.getBlobClient(name).downloadContent().toBytes();
  }

  private List<String> wasbBlobs(String prefixFilter) {
    return wasbContainer.listBlobs().stream().map(BlobItem::getName).filter(n -> n.contains(prefixFilter))
        .sorted().toList();
  }

  private List<String> children(String folder) throws IOException {
    return Arrays.stream(wasb.listStatus(new org.apache.hadoop.fs.Path(wasbRoot + folder)))
        .map(s -> s.getPath().getName()).sorted().toList();
  }

  private static FileTransfer byPath(TransferReport report, String path) {
    return report.files().stream().filter(f -> f.path().equals(path)).findFirst()
        .orElseThrow(() -> new AssertionError(path + " not in " + report.files()));
  }

  @Test
  void filesLandWholeAndLeftoversOfKilledTasksAreRemoved() throws IOException {
    byte[] big = TestEnvironment.random(9 * 1024 * 1024, 1);
    TestEnvironment.put(datastore, "d/small.txt", bytes("small"));
    TestEnvironment.put(datastore, "d/sub/big.bin", big);
    // What a task killed with its executor leaves: a partial file under its temporary name.
    write("/out/d/sub/.big.bin.0123456789abcdef" + TEMP_SUFFIX, bytes("partial"));
    write("/out/elsewhere/.z.txt.0123456789abcdef" + TEMP_SUFFIX, bytes("not this download's"));

    List<Row> rows = spark.read().format("azureml").option("workspaceConfig", dir.resolve("config.json")
        .toString()).option("datastore", "ds").option("prefix", "d/").option("outputFolder", wasbRoot + "/out")
        .load().collectAsList();

    Map<String, String> statuses = rows.stream().collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(4)));
    assertEquals(Map.of("d/small.txt", "TRANSFERRED", "d/sub/big.bin", "TRANSFERRED"), statuses, rows.toString());
    assertArrayEquals(bytes("small"), wasbBlob("out/d/small.txt"));
    assertArrayEquals(big, wasbBlob("out/d/sub/big.bin"));
    FileStatus landed = wasb.getFileStatus(new org.apache.hadoop.fs.Path(wasbRoot + "/out/d/sub/big.bin"));
    assertTrue(landed.isFile() && landed.getLen() == big.length, landed.toString());
    assertEquals(List.of("out/elsewhere/.z.txt.0123456789abcdef" + TEMP_SUFFIX), wasbBlobs(TEMP_SUFFIX),
        "the leftover beside a downloaded file is removed, nothing else is touched");
  }

  @Test
  void aFolderAtAFinalPathIsFailedAndLeftAsItWas() throws IOException {
    TestEnvironment.put(datastore, "d/there.txt", bytes("new"));
    TestEnvironment.put(datastore, "d/appears.txt", bytes("new"));
    write("/out/d/there.txt/keep.txt", bytes(RacingWasbFileSystem.KEPT));
    // WASB's rename would move the file into a folder that appears between the check and the rename.
    RacingWasbFileSystem.folderAppearsAt("/out/d/appears.txt");

    TransferException e = assertThrows(TransferException.class, () -> files.downloadFromDatastore("ds", "d/",
        wasbRoot + "/out", TransferOptions.defaults().overwrite(OverwriteMode.ALWAYS)));

    for (String name : List.of("there.txt", "appears.txt")) {
      FileTransfer row = byPath(e.report(), "d/" + name);
      assertEquals(TransferStatus.FAILED, row.status(), row.toString());
      assertTrue(row.error().contains("A folder exists at " + wasbRoot + "/out/d/" + name), row.error());
      assertEquals(List.of("keep.txt"), children("/out/d/" + name), "nothing moved into the folder");
      assertArrayEquals(bytes(RacingWasbFileSystem.KEPT), wasbBlob("out/d/" + name + "/keep.txt"));
    }
    assertEquals(List.of(), wasbBlobs(TEMP_SUFFIX));
  }

  @Test
  void overwriteReplacesAFileAndKeepsItWhenTheRenameFails() throws IOException {
    write("/out/d/x.txt", bytes("old"));
    TestEnvironment.put(datastore, "d/x.txt", bytes("first"));
    TransferOptions always = TransferOptions.defaults().overwrite(OverwriteMode.ALWAYS);

    assertEquals(1, files.downloadFromDatastore("ds", "d/", wasbRoot + "/out", always).transferred());
    assertArrayEquals(bytes("first"), wasbBlob("out/d/x.txt"));

    // The old file is out of the way and the new one's rename is refused: the old one must come back.
    TestEnvironment.put(datastore, "d/x.txt", bytes("second"));
    RacingWasbFileSystem.refuseRenameOntoNothing("/out/d/x.txt");
    TransferException e = assertThrows(TransferException.class,
        () -> files.downloadFromDatastore("ds", "d/", wasbRoot + "/out", always));

    assertEquals(TransferStatus.FAILED, byPath(e.report(), "d/x.txt").status());
    assertArrayEquals(bytes("first"), wasbBlob("out/d/x.txt"), "the replaced file is kept");
    assertEquals(List.of(), wasbBlobs(TEMP_SUFFIX));
  }

  @Test
  void aWasbFolderUploadsWithContentMd5() throws Exception {
    byte[] big = TestEnvironment.random(9 * 1024 * 1024, 2);
    write("/src/a.txt", bytes("alpha"));
    write("/src/sub/b.bin", big);

    TransferReport report = files.uploadToDatastore("ds", wasbRoot + "/src", "up");

    assertEquals(2, report.transferred());
    Map<String, byte[]> expected = Map.of("up/a.txt", bytes("alpha"), "up/sub/b.bin", big);
    for (Map.Entry<String, byte[]> entry : expected.entrySet()) {
      var blob = datastore.getBlobClient(entry.getKey());
      assertArrayEquals(entry.getValue(), blob.downloadContent().toBytes(), entry.getKey());
      assertArrayEquals(MessageDigest.getInstance("MD5").digest(entry.getValue()),
          blob.getProperties().getContentMd5(), entry.getKey());
    }
  }
}
