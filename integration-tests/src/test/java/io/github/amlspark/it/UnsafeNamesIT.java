package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferException;
import io.github.amlspark.TransferReport;
import io.github.amlspark.TransferStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Blob names that would escape the output folder or that no file system holds as given.
 *
 * <p>What Azurite 3.37 stores (checked by listing, and asserted by {@link #storedName}): it keeps
 * {@code a/../../escape.txt}, {@code ../up.txt}, {@code dir//double.txt}, {@code /leading.txt},
 * {@code x/./dot.txt}, {@code ..} and a name with a tab exactly as given (it answers 500 to a name
 * holding U+0001, so that one is not tried); it turns every
 * backslash into a forward slash, as Azure Storage does, so {@code ..\evil.txt} is stored as
 * {@code ../evil.txt} (still unsafe) and {@code sub\safe.txt} as {@code sub/safe.txt} (safe).
 */
class UnsafeNamesIT {
  @TempDir
  Path dir;
  BlobContainerClient container;
  AzureMLFiles files;
  /** The output folder, two levels below {@code dir} so that {@code ../..} stays inside the temp dir. */
  Path out;
  /** Unique per test, in every unsafe name, so that a file that escaped can be found anywhere. */
  String token;

  @BeforeEach
  void setUp() throws IOException {
    container = TestEnvironment.newContainer("unsafe");
    Path config = TestEnvironment.workspaceConfig(dir.resolve("cfg"), "ds", container);
    files = AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(config.toString()).build();
    out = dir.resolve("work/inner/out");
    Files.createDirectories(out.getParent());
    token = "amlspark-it-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Set<Path> everything(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.collect(Collectors.toSet());
    }
  }

  private static List<Path> filesUnder(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /** Uploads a blob and returns the name Azurite actually stored. */
  private String storedName(String name) {
    Set<String> before = container.listBlobs().stream().map(BlobItem::getName).collect(Collectors.toSet());
    TestEnvironment.put(container, name, bytes("payload of " + name));
    List<String> added = container.listBlobs().stream().map(BlobItem::getName)
        .filter(n -> !before.contains(n)).toList();
    assertEquals(1, added.size(), "one blob stored for " + name + ": " + added);
    return added.get(0);
  }

  /**
   * @param template the blob name, {@code TOKEN} standing for a unique part and {@code BS} for a backslash
   * @param reason a word the error must use to say why the name is refused
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "a/../../escape-TOKEN.txt   | '..'",
      "../up-TOKEN.txt            | '..'",
      "..BSevil-TOKEN.txt         | '..'",
      "sub/..BS..BSbs-TOKEN.txt   | '..'",
      "dir//double-TOKEN.txt      | empty",
      "/leading-TOKEN.txt         | absolute",
      "x/./dot-TOKEN.txt          | '.'",
      "tab\tchar-TOKEN.txt         | control",
  })
  void anUnsafeNameFailsWithAClearErrorWritesNothingOutsideAndTheSiblingStillLands(String template, String reason)
      throws IOException {
    String asked = template.replace("TOKEN", token).replace("BS", "\\");
    String stored = storedName(asked);
    // Azurite keeps every name as given except that backslashes become slashes.
    assertEquals(asked.replace('\\', '/'), stored);
    TestEnvironment.put(container, "normal/sibling.txt", bytes("sibling"));
    Set<Path> before = everything(dir);

    TransferException e = assertThrows(TransferException.class,
        () -> files.downloadFromDatastore("ds", "", out.toString()));

    TransferReport report = e.report();
    Map<String, FileTransfer> byPath = report.files().stream()
        .collect(Collectors.toMap(FileTransfer::path, f -> f));
    assertEquals(Set.of(stored, "normal/sibling.txt"), byPath.keySet());
    FileTransfer bad = byPath.get(stored);
    assertEquals(TransferStatus.FAILED, bad.status());
    assertTrue(bad.error().contains("\"" + stored + "\""), "the error names the blob: " + bad.error());
    assertTrue(bad.error().contains(reason), "the error says why (" + reason + "): " + bad.error());
    assertTrue(e.getMessage().contains(stored), e.getMessage());
    assertEquals(TransferStatus.TRANSFERRED, byPath.get("normal/sibling.txt").status());
    assertArrayEquals(bytes("sibling"), TestEnvironment.read(out.resolve("normal/sibling.txt")));

    // Nothing new anywhere but the sibling (and its folders) inside the output folder.
    Set<Path> added = new HashSet<>(everything(dir));
    added.removeAll(before);
    for (Path p : added) {
      assertTrue(p.startsWith(out), "written outside the output folder: " + p);
    }
    assertEquals(List.of(out.resolve("normal/sibling.txt")), filesUnder(out));
    try (Stream<Path> parent = Files.list(out.getParent())) {
      assertEquals(List.of(out), parent.toList(), "the output folder's parent holds nothing new");
    }
    String leaf = stored.substring(stored.lastIndexOf('/') + 1);
    assertFalse(Files.exists(Path.of("/").resolve(leaf)), "nothing at the file system root");
    assertFalse(Files.exists(Path.of("").toAbsolutePath().resolve(leaf)), "nothing in the working directory");
  }

  @Test
  void aBareDotDotBlobFailsAndTheRestLands() throws IOException {
    // Azurite keeps a blob named "..", and one named "x/..".
    assertEquals("..", storedName(".."));
    assertEquals("x/..", storedName("x/.."));
    TestEnvironment.put(container, "ok.txt", bytes("ok"));

    TransferException e = assertThrows(TransferException.class,
        () -> files.downloadFromDatastore("ds", "", out.toString()));

    assertEquals(2, e.report().failed());
    assertEquals(1, e.report().transferred());
    for (FileTransfer f : e.report().failures()) {
      assertTrue(f.error().contains("'..'"), f.error());
    }
    assertEquals(List.of(out.resolve("ok.txt")), filesUnder(dir.resolve("work")));
    assertArrayEquals(bytes("ok"), TestEnvironment.read(out.resolve("ok.txt")));
  }

  @Test
  void sparkReadWithOutputFolderReportsUnsafeNamesAsFailedRowsWithoutThrowing() throws IOException {
    List<String> unsafe = List.of("a/../../escape-" + token + ".txt", "/leading-" + token + ".txt",
        "dir//double-" + token + ".txt");
    for (String name : unsafe) {
      assertEquals(name, storedName(name));
    }
    TestEnvironment.put(container, "normal/sibling.txt", bytes("sibling"));
    Set<Path> before = everything(dir);

    List<Row> rows = TestEnvironment.spark().read().format("azureml")
        .option("workspaceConfig", dir.resolve("cfg/config.json").toString()).option("datastore", "ds")
        .option("outputFolder", out.toString()).load().collectAsList();

    Map<String, Row> byPath = rows.stream().collect(Collectors.toMap(r -> r.getString(0), r -> r));
    assertEquals(4, byPath.size());
    for (String name : unsafe) {
      Row r = byPath.get(name);
      assertEquals("FAILED", r.getString(4), name);
      assertTrue(r.getString(6).contains(name), r.getString(6));
    }
    assertEquals("TRANSFERRED", byPath.get("normal/sibling.txt").getString(4));
    assertNull(byPath.get("normal/sibling.txt").getString(6));
    Set<Path> added = new HashSet<>(everything(dir));
    added.removeAll(before);
    for (Path p : added) {
      assertTrue(p.startsWith(out), "written outside the output folder: " + p);
    }
    assertEquals(List.of(out.resolve("normal/sibling.txt")), filesUnder(out));
  }

  @Test
  void oddButSafeNamesLandExactlyWhereTheirNameSays() throws IOException {
    List<String> names = List.of("sp ace/file one.txt", "pct%41%2F.txt", "hash#1.txt", "query?.txt",
        "ünïcødé/日本.txt", "colon:name.txt", "plus+sign.txt", "semi;colon&amp.txt", "...three-dots.txt",
        ".hidden/.file", "trailing-dot.", "a..b/c..d.txt");
    for (String name : names) {
      assertEquals(name, storedName(name));
    }
    // A backslash becomes a folder separator in Azure and Azurite, so this one is safe too.
    assertEquals("sub/safe.txt", storedName("sub\\safe.txt"));

    for (String folder : List.of(out.toString(), dir.resolve("uri out").toUri().toString())) {
      TransferReport report = files.downloadFromDatastore("ds", "", folder);
      assertEquals(names.size() + 1, report.transferred(), folder);
      assertEquals(0, report.failed(), report.failures().toString());
    }
    for (Path root : List.of(out, dir.resolve("uri out"))) {
      for (String name : names) {
        assertArrayEquals(bytes("payload of " + name), TestEnvironment.read(root.resolve(name)), name);
      }
      assertArrayEquals(bytes("payload of sub\\safe.txt"), TestEnvironment.read(root.resolve("sub/safe.txt")));
      assertEquals(names.size() + 1, filesUnder(root).size(), "no temporary file left: " + filesUnder(root));
    }
  }

  @Test
  void aReadWithoutOutputFolderReturnsUnsafeNamesAsTheyAre() {
    List<String> unsafe = List.of("a/../../escape-" + token + ".txt", "/leading-" + token + ".txt");
    for (String name : unsafe) {
      assertEquals(name, storedName(name));
    }
    List<Row> rows = TestEnvironment.spark().read().format("azureml")
        .option("workspaceConfig", dir.resolve("cfg/config.json").toString()).option("datastore", "ds")
        .load().select("path", "content").collectAsList();
    Map<String, byte[]> byPath = rows.stream().collect(Collectors.toMap(r -> r.getString(0), r -> (byte[]) r.get(1)));
    assertEquals(Set.copyOf(unsafe), byPath.keySet());
    for (String name : unsafe) {
      assertArrayEquals(bytes("payload of " + name), byPath.get(name), name);
    }
  }

  private static final String NFC = "\u00e9.txt";
  private static final String NFD = "e\u0301.txt";

  private Map<String, String> blobContents() {
    return container.listBlobs().stream().collect(Collectors.toMap(BlobItem::getName,
        b -> container.getBlobClient(b.getName()).downloadContent().toString()));
  }

  private static TransferException transferException(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TransferException transfer) {
        return transfer;
      }
    }
    throw new AssertionError("no TransferException in the chain", e);
  }

  @Test
  void namesThatDifferOnlyInCaseOrNormalisationAndLongSegmentsAreDistinctFilesOnThisFileSystem()
      throws IOException {
    // ext4 (CI) keeps names as bytes: these are four files. A case-insensitive or normalising file system
    // would see two; docs/downloads.md says what happens there.
    List<String> names = List.of("case/A.txt", "case/a.txt", "norm/" + NFC, "norm/" + NFD,
        "long/" + "n".repeat(251) + ".txt", "long/" + "\u65e5".repeat(85), "long/" + "\ud83d\ude00".repeat(63) + "abc");
    for (String name : names) {
      assertEquals(name, storedName(name));
    }
    TransferReport report = files.downloadFromDatastore("ds", "", out.toString());
    assertEquals(names.size(), report.transferred(), report.files().toString());
    for (String name : names) {
      assertArrayEquals(bytes("payload of " + name), TestEnvironment.read(out.resolve(name)), name);
    }
    assertEquals(names.size(), filesUnder(out).size(), "one file per blob, no temporary file left");
  }

  @Test
  void aBlobBesideBlobsBelowItsNameFailsNamingTheConflictAndTheFolderLands() throws IOException {
    TestEnvironment.put(container, "clash", bytes("file"));
    TestEnvironment.put(container, "clash/inner.txt", bytes("inner"));
    TestEnvironment.put(container, "clash/deeper/x.txt", bytes("x"));
    for (OverwriteMode mode : OverwriteMode.values()) {
      Path target = dir.resolve("clash-" + mode);
      TransferException e = assertThrows(TransferException.class, () -> files.downloadFromDatastore("ds", "",
          target.toString(), io.github.amlspark.TransferOptions.defaults().overwrite(mode)));
      Map<String, FileTransfer> byPath = e.report().files().stream()
          .collect(Collectors.toMap(FileTransfer::path, f -> f));
      assertEquals(TransferStatus.FAILED, byPath.get("clash").status(), mode.toString());
      assertTrue(byPath.get("clash").error().contains("\"clash/"), byPath.get("clash").error());
      assertTrue(byPath.get("clash").error().contains("a file and a folder cannot share"),
          byPath.get("clash").error());
      assertEquals(TransferStatus.TRANSFERRED, byPath.get("clash/inner.txt").status(), mode.toString());
      assertEquals(TransferStatus.TRANSFERRED, byPath.get("clash/deeper/x.txt").status(), mode.toString());
      assertArrayEquals(bytes("inner"), TestEnvironment.read(target.resolve("clash/inner.txt")));
      assertEquals(2, filesUnder(target).size(), filesUnder(target).toString());
    }
  }

  @Test
  void dfWriteRowsWithNamesFolderUploadsRefuseAreFailedAndNothingIsUploadedUnderAnotherName() {
    List<String> bad = List.of("a/../b-" + token + ".txt", "a//b.txt", "/abs.txt", "back\\slash.txt",
        "tab\tname.txt", "x".repeat(1025), "trail./x.txt", "dir/", "");
    List<Row> rows = new java.util.ArrayList<>();
    for (String name : bad) {
      rows.add(org.apache.spark.sql.RowFactory.create(name, bytes("bad")));
    }
    rows.add(org.apache.spark.sql.RowFactory.create("good.txt", bytes("good")));
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
        .add("path", org.apache.spark.sql.types.DataTypes.StringType)
        .add("content", org.apache.spark.sql.types.DataTypes.BinaryType);

    Exception e = assertThrows(Exception.class, () -> TestEnvironment.spark().createDataFrame(rows, schema)
        .write().format("azureml").option("workspaceConfig", dir.resolve("cfg/config.json").toString())
        .option("datastore", "ds").option("path", "w").mode("append").save());

    TransferReport report = transferException(e).report();
    assertEquals(bad.size(), report.failed(), report.files().toString());
    assertEquals(1, report.transferred());
    for (FileTransfer f : report.failures()) {
      assertTrue(f.error().startsWith("Row with path \""), f.error());
      assertTrue(f.error().contains("was not uploaded"), f.error());
    }
    assertEquals(Map.of("w/good.txt", "good"), blobContents(), "only the good row became a blob");
  }

  @Test
  void folderUploadsOfHostileFileNamesWriteExactNamesOrFailAndLoseNothing() throws IOException {
    Path src = Files.createDirectories(dir.resolve("src"));
    List<String> kept = List.of("case/A.txt", "case/a.txt", "norm/" + NFC, "norm/" + NFD, "pct%41.txt",
        "q?.txt", "h#1.txt", "n".repeat(251) + ".txt", "\u65e5".repeat(85), "..dots/ok..x");
    List<String> refused = List.of("back\\slash.txt", "trail.", "sub./x.txt");
    for (String name : concat(kept, refused)) {
      Path f = src.resolve(name);
      Files.createDirectories(f.getParent());
      Files.writeString(f, "payload of " + name);
    }

    TransferException e = assertThrows(TransferException.class,
        () -> files.uploadToDatastore("ds", src.toString(), "up"));

    TransferReport report = e.report();
    assertEquals(kept.size() + refused.size(), report.files().size(), "every file is reported");
    assertEquals(kept.size(), report.transferred(), report.failures().toString());
    for (String name : refused) {
      FileTransfer f = report.files().stream().filter(t -> t.path().equals("up/" + name)).findFirst()
          .orElseThrow(() -> new AssertionError("no row for " + name));
      assertEquals(TransferStatus.FAILED, f.status(), name);
      assertTrue(f.error().contains("was not uploaded"), f.error());
    }
    Map<String, String> blobs = blobContents();
    assertEquals(kept.stream().map(n -> "up/" + n).collect(Collectors.toSet()), blobs.keySet());
    for (String name : kept) {
      assertEquals("payload of " + name, blobs.get("up/" + name), name);
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }
}
