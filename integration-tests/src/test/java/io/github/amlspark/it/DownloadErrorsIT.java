package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.github.amlspark.AzureMLException;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.DatastoreNotFoundException;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.NoFilesFoundException;
import io.github.amlspark.TransferException;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.WorkspaceNotFoundException;
import io.github.amlspark.harness.Azurite;
import io.github.amlspark.harness.LocalWorkspace;
import io.github.amlspark.spark.SparkInternals;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.ExplainMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.runtime.AbstractFunction0;
import scala.runtime.BoxedUnit;

/**
 * What a user sees when a download cannot happen (unknown datastore, empty prefix, output folder that is a
 * file, missing or broken workspace config), and that no message, plan or report shows a credential.
 */
class DownloadErrorsIT {
  private static final Pattern SIG = Pattern.compile("[?&]sig=([^&\\s\"]+)");

  @TempDir
  Path dir;
  BlobContainerClient container;
  BlobProxy proxy;
  Path config;
  AzureMLFiles files;

  @BeforeEach
  void setUp() throws IOException {
    container = TestEnvironment.newContainer("errors");
    proxy = new BlobProxy(TestEnvironment.azurite().accountUrl());
    // Account-key datastore: the config holds Azurite's real key, the secret that must never show.
    config = TestEnvironment.workspaceConfig(dir.resolve("cfg"), "ds", container,
        proxy.accountUrl(Azurite.ACCOUNT));
    assertTrue(Files.readString(config).contains(Azurite.ACCOUNT_KEY), "the config carries the key");
    files = AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(config.toString()).build();
  }

  @AfterEach
  void tearDown() {
    proxy.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private DataFrameReader reader(Path workspaceConfig, String datastore, String prefix) {
    return TestEnvironment.spark().read().format("azureml").option("workspaceConfig", workspaceConfig.toString())
        .option("datastore", datastore).option("prefix", prefix);
  }

  // ----- secrets -----

  /** @return every SAS signature the proxy saw on the wire (raw and URL-decoded) */
  private static Set<String> signaturesSeen(BlobProxy proxy) {
    Set<String> sigs = new LinkedHashSet<>();
    for (BlobProxy.Recorded r : proxy.requests()) {
      Matcher m = SIG.matcher(r.pathAndQuery());
      while (m.find()) {
        sigs.add(m.group(1));
        sigs.add(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
      }
    }
    return sigs;
  }

  /** @return the signature of a SAS token, raw and URL-decoded */
  private static List<String> signatureOf(String sas) {
    Matcher m = SIG.matcher("?" + sas);
    assertTrue(m.find(), sas);
    return List.of(m.group(1), URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
  }

  /** Fails when {@code text} shows the account key (whole, URL-encoded or its start) or any SAS signature. */
  private static void assertNoSecret(String where, String text, Iterable<String> moreSecrets) {
    assertNotNull(text, where);
    String lower = text.toLowerCase();
    List<String> secrets = new ArrayList<>(List.of(Azurite.ACCOUNT_KEY,
        URLEncoder.encode(Azurite.ACCOUNT_KEY, StandardCharsets.UTF_8), Azurite.ACCOUNT_KEY.substring(0, 16)));
    moreSecrets.forEach(secrets::add);
    for (String secret : secrets) {
      assertFalse(text.contains(secret), where + " shows a secret (" + secret.substring(0, 6) + "...): " + text);
    }
    assertFalse(lower.contains("sig="), where + " shows a SAS signature: " + text);
    assertFalse(lower.contains("sig%3d"), where + " shows a SAS signature: " + text);
  }

  private static void assertNoSecret(String where, String text) {
    assertNoSecret(where, text, List.of());
  }

  private static void assertNoSecretInReport(TransferReport report, Iterable<String> moreSecrets) {
    assertNoSecret("TransferReport.toString", report.toString(), moreSecrets);
    assertNoSecret("TransferReport.summary", report.summary(), moreSecrets);
    for (FileTransfer f : report.files()) {
      assertNoSecret("FileTransfer.toString", f.toString(), moreSecrets);
    }
  }

  /** @return everything Spark shows of a query's plans: queryExecution, every explain mode, explain(true) */
  private static List<String> explainOutputs(Dataset<Row> df) {
    List<String> out = new ArrayList<>();
    out.add(SparkInternals.queryExecution(df).toString());
    for (String mode : List.of("simple", "extended", "formatted", "cost", "codegen")) {
      out.add(SparkInternals.queryExecution(df).explainString(ExplainMode.fromString(mode)));
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
    PrintStream oldOut = System.out;
    System.setOut(ps);
    try {
      // Dataset.explain prints through Scala's Console, which does not follow System.setOut.
      scala.Console.withOut(ps, new AbstractFunction0<BoxedUnit>() {
        @Override
        public BoxedUnit apply() {
          df.explain(true);
          return BoxedUnit.UNIT;
        }
      });
    } finally {
      System.setOut(oldOut);
    }
    out.add(buf.toString(StandardCharsets.UTF_8));
    for (String text : out) {
      assertTrue(text.contains("azureml"), "explain shows the source: " + text);
    }
    return out;
  }

  // ----- unknown datastore -----

  @Test
  void unknownDatastoreNamesTheAskedNameAndListsTheKnownOnes() throws IOException {
    Path twoStores = new LocalWorkspace()
        .withKeyDatastore("images_store", proxy.accountUrl(Azurite.ACCOUNT), container.getBlobContainerName(),
            Azurite.ACCOUNT_KEY)
        .withKeyDatastore("labels_store", proxy.accountUrl(Azurite.ACCOUNT), container.getBlobContainerName(),
            Azurite.ACCOUNT_KEY)
        .writeTo(dir.resolve("two/config.json"));
    AzureMLFiles two = AzureMLFiles.builder().spark(TestEnvironment.spark())
        .workspaceConfig(twoStores.toString()).build();

    DatastoreNotFoundException e = assertThrows(DatastoreNotFoundException.class,
        () -> two.downloadFromDatastore("no_such_store", "", dir.resolve("out").toString()));

    assertTrue(e.getMessage().contains("no_such_store"), e.getMessage());
    assertTrue(e.getMessage().contains("images_store"), e.getMessage());
    assertTrue(e.getMessage().contains("labels_store"), e.getMessage());
    assertNoSecret("DatastoreNotFoundException", e.getMessage());
    assertTrue(proxy.requests().isEmpty(), "an unknown datastore makes no storage call: " + proxy.requests());
    assertEquals(List.of(), TestEnvironment.files(dir.resolve("out")), "nothing is written");
  }

  @Test
  void unknownDatastoreThroughSparkReadIsTheSameException() {
    DatastoreNotFoundException e = assertThrows(DatastoreNotFoundException.class,
        () -> reader(config, "no_such_store", "").load().collectAsList());
    assertTrue(e.getMessage().contains("no_such_store"), e.getMessage());
    assertTrue(e.getMessage().contains("Known datastores: ds"), e.getMessage());
    assertNoSecret("DatastoreNotFoundException", e.getMessage());
  }

  // ----- prefix matching nothing -----

  @Test
  void prefixMatchingNothingIsNoFilesFoundNamingPrefixAndDatastore() {
    TestEnvironment.put(container, "a/1.txt", bytes("one"));

    NoFilesFoundException e = assertThrows(NoFilesFoundException.class,
        () -> files.downloadFromDatastore("ds", "x", dir.resolve("out").toString()));

    assertTrue(e.getMessage().startsWith("No files with prefix \"x\" were found in datastore ds"), e.getMessage());
    assertNoSecret("NoFilesFoundException", e.getMessage());
    assertEquals(0, proxy.blobGets());
  }

  @Test
  void emptyContainerIsNoFilesFoundForTheEmptyPrefix() {
    NoFilesFoundException e = assertThrows(NoFilesFoundException.class,
        () -> files.downloadFromDatastore("ds", "", dir.resolve("out").toString()));
    assertTrue(e.getMessage().contains("prefix \"\""), e.getMessage());
    assertTrue(e.getMessage().contains("datastore ds"), e.getMessage());
  }

  @Test
  void prefixIsAPlainStringPrefixSoAPartialFolderNameMatchesButAnExtraCharacterDoesNot() {
    TestEnvironment.put(container, "data/train.csv", bytes("t"));
    // "data/t" matches "data/train.csv"; "data/train.csvx" does not.
    assertEquals(1, files.downloadFromDatastore("ds", "data/t", dir.resolve("o1").toString()).transferred());
    NoFilesFoundException e = assertThrows(NoFilesFoundException.class,
        () -> files.downloadFromDatastore("ds", "data/train.csvx", dir.resolve("o2").toString()));
    assertTrue(e.getMessage().contains("\"data/train.csvx\""), e.getMessage());
  }

  @Test
  void globMatchingNothingSaysSoInTheMessage() {
    TestEnvironment.put(container, "a/1.txt", bytes("one"));
    NoFilesFoundException e = assertThrows(NoFilesFoundException.class,
        () -> files.downloadFromDatastore("ds", "a", dir.resolve("out").toString(),
            TransferOptions.defaults().pathGlobFilter("*.csv")));
    assertTrue(e.getMessage().contains("\"a\""), e.getMessage());
    assertTrue(e.getMessage().contains("*.csv"), "what was asked includes the glob: " + e.getMessage());
  }

  // ----- output folder that is a file -----

  @Test
  void outputFolderThatIsAFileFailsNamingItBeforeAnyGet() throws IOException {
    TestEnvironment.put(container, "a/1.txt", bytes("one"));
    Path taken = dir.resolve("taken.txt");
    Files.writeString(taken, "keep me");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> files.downloadFromDatastore("ds", "a", taken.toString()));

    assertTrue(e.getMessage().contains(taken.toString()), e.getMessage());
    assertNoSecret("IllegalArgumentException", e.getMessage());
    assertEquals(0, proxy.blobGets(), "nothing was fetched: " + proxy.requests());
    assertEquals("keep me", Files.readString(taken), "the file is left alone");
  }

  @Test
  void outputFolderThatIsAFileGivenAsFileUriOrThroughSparkReadFailsTheSameWay() throws IOException {
    TestEnvironment.put(container, "a/1.txt", bytes("one"));
    Path taken = dir.resolve("taken.bin");
    Files.writeString(taken, "keep me");
    String uri = taken.toUri().toString();

    IllegalArgumentException viaApi = assertThrows(IllegalArgumentException.class,
        () -> files.downloadFromDatastore("ds", "a", uri));
    assertTrue(viaApi.getMessage().contains(uri) || viaApi.getMessage().contains(taken.toString()),
        viaApi.getMessage());

    IllegalArgumentException viaRead = assertThrows(IllegalArgumentException.class,
        () -> reader(config, "ds", "a").option("outputFolder", taken.toString()).load().collectAsList());
    assertTrue(viaRead.getMessage().contains(taken.toString()), viaRead.getMessage());
    assertEquals(0, proxy.blobGets(), "nothing was fetched: " + proxy.requests());
    assertEquals("keep me", Files.readString(taken));
  }

  // ----- workspace config -----

  @Test
  void missingWorkspaceConfigFailsAtBuildNamingThePath() {
    Path missing = dir.resolve("nowhere/config.json");
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(missing.toString()).build());
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

    WorkspaceNotFoundException relative = assertThrows(WorkspaceNotFoundException.class,
        () -> AzureMLFiles.builder().spark(TestEnvironment.spark())
            .workspaceConfig("no-such-folder-amlspark/config.json").build());
    assertTrue(relative.getMessage().contains("no-such-folder-amlspark/config.json"), relative.getMessage());
  }

  @Test
  void missingWorkspaceConfigOnASparkReadFailsNamingThePath() {
    Path missing = dir.resolve("nowhere/config.json");
    WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
        () -> reader(missing, "ds", "").load().collectAsList());
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void configThatIsNotJsonOrLacksSubscriptionIdIsAClearWorkspaceNotFound() throws IOException {
    Path notJson = Files.writeString(dir.resolve("not-json.json"), "subscription_id = 123\n");
    WorkspaceNotFoundException e1 = assertThrows(WorkspaceNotFoundException.class,
        () -> AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(notJson.toString()).build());
    assertTrue(e1.getMessage().contains(notJson.toString()), e1.getMessage());
    assertTrue(e1.getMessage().contains("JSON"), e1.getMessage());

    Path array = Files.writeString(dir.resolve("array.json"), "[1, 2]");
    WorkspaceNotFoundException e2 = assertThrows(WorkspaceNotFoundException.class,
        () -> AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(array.toString()).build());
    assertTrue(e2.getMessage().contains(array.toString()), e2.getMessage());
    assertTrue(e2.getMessage().contains("JSON object"), e2.getMessage());

    Path noSub = Files.writeString(dir.resolve("nosub.json"),
        "{\"resource_group\": \"rg\", \"workspace_name\": \"ws\"}");
    WorkspaceNotFoundException e3 = assertThrows(WorkspaceNotFoundException.class,
        () -> AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(noSub.toString()).build());
    assertTrue(e3.getMessage().contains(noSub.toString()), e3.getMessage());
    assertTrue(e3.getMessage().contains("subscription_id"), e3.getMessage());
    assertTrue(e3.getMessage().contains("missing"), e3.getMessage());
  }

  @Test
  void brokenConfigsHoldingTheKeyNeverShowIt() throws IOException {
    String ws = "\"subscription_id\": \"s\", \"resource_group\": \"r\", \"workspace_name\": \"w\"";
    String key = Azurite.ACCOUNT_KEY;
    List<String> broken = List.of(
        // Unquoted key: a JSON parser's own message would quote the token.
        "{" + ws + ", \"datastores\": {\"ds\": {\"account_key\": " + key + "}}}",
        // Truncated after the key.
        "{" + ws + ", \"datastores\": {\"ds\": {\"account_key\": \"" + key + "\"",
        // Valid JSON, missing container.
        "{" + ws + ", \"datastores\": {\"ds\": {\"account_url\": \"http://x\", \"account_key\": \"" + key + "\"}}}",
        // Key of the wrong type.
        "{" + ws + ", \"datastores\": {\"ds\": {\"account_url\": \"http://x\", \"container\": \"c\", "
            + "\"account_key\": [\"" + key + "\"]}}}",
        // The key where a boolean belongs.
        "{" + ws + ", \"offline\": \"" + key + "\"}");
    for (int i = 0; i < broken.size(); i++) {
      Path file = Files.writeString(dir.resolve("broken" + i + ".json"), broken.get(i));
      WorkspaceNotFoundException e = assertThrows(WorkspaceNotFoundException.class,
          () -> AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(file.toString()).build(),
          broken.get(i));
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertNoSecret("WorkspaceNotFoundException for " + file.getFileName(), e.getMessage());
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        assertNoSecret("cause of WorkspaceNotFoundException", String.valueOf(c.getMessage()));
      }
    }
  }

  // ----- no secret anywhere -----

  @Test
  void accountKeyAndIssuedSasNeverShowInPlansReportsOrErrors() throws IOException {
    TestEnvironment.put(container, "s/ok.txt", bytes("fine"));
    TestEnvironment.put(container, "s/bad.bin", new byte[20_000]);

    // A read: plans of the listing-only and the content query.
    Dataset<Row> read = reader(config, "ds", "s/").load();
    assertEquals(2, read.select("path", "content").collectAsList().size());
    Dataset<Row> download = reader(config, "ds", "s/").option("outputFolder", dir.resolve("o1").toString()).load();
    List<Row> rows = download.collectAsList();
    assertEquals(2, rows.size());

    Set<String> sigs = signaturesSeen(proxy);
    assertFalse(sigs.isEmpty(), "executors used an issued SAS: " + proxy.requests());
    for (Dataset<Row> df : List.of(read, read.select("path"), download)) {
      for (String text : explainOutputs(df)) {
        assertNoSecret("explain", text, sigs);
      }
    }
    for (Row r : rows) {
      assertNoSecret("transfer row", r.toString(), sigs);
    }

    // A failed file: its error, the exception and the report.
    proxy.fail("s/bad.bin", BlobProxy.Fault.CUT_SHORT, 1000);
    TransferException e;
    try (SessionConf retries = SessionConf.shortRetries()) {
      e = assertThrows(TransferException.class,
          () -> files.downloadFromDatastore("ds", "s/", dir.resolve("o2").toString()));
    }
    sigs = signaturesSeen(proxy);
    assertEquals(1, e.report().failed());
    assertEquals(1, e.report().transferred());
    assertNoSecret("TransferException", e.getMessage(), sigs);
    assertNoSecretInReport(e.report(), sigs);
    FileTransfer failed = e.report().failures().get(0);
    assertEquals("s/bad.bin", failed.path());
    assertNoSecret("FAILED file's error", failed.error(), sigs);
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      assertNoSecret("cause", String.valueOf(c.getMessage()), sigs);
    }

    // A report that succeeded.
    TransferReport ok = files.downloadFromDatastore("ds", "s/ok", dir.resolve("o3").toString());
    assertEquals(1, ok.transferred());
    assertNoSecretInReport(ok, signaturesSeen(proxy));
    assertNoSecret("report DataFrame", ok.toDataFrame().collectAsList().toString(), signaturesSeen(proxy));
  }

  @Test
  void aWrongAccountKeyFailsTheListingWithAnAccessErrorAndNoKey() {
    TestEnvironment.put(container, "k/1.txt", bytes("one"));
    // Valid base64, 64 bytes, but not the account's key: storage refuses the SAS issued with it.
    String wrong = java.util.Base64.getEncoder().encodeToString(
        "not the key of devstoreaccount1, 64 bytes long, for HMAC-SHA256".getBytes(StandardCharsets.UTF_8));
    Path cfg = new LocalWorkspace().withKeyDatastore("ds", proxy.accountUrl(Azurite.ACCOUNT),
        container.getBlobContainerName(), wrong).writeTo(dir.resolve("wrongkey/config.json"));

    AzureMLException e = assertThrows(AzureMLException.class,
        () -> filesFor(cfg).downloadFromDatastore("ds", "k/", dir.resolve("out").toString()));

    assertTrue(e.getMessage().contains("403"), e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertNoSecret(t.getClass().getSimpleName(), String.valueOf(t.getMessage()),
          List.of(wrong, wrong.substring(0, 12)));
    }
    assertEquals(0, proxy.blobGets());
  }

  @Test
  void aMalformedAccountKeyIsAClearConfigErrorWithoutTheKey() {
    TestEnvironment.put(container, "k/1.txt", bytes("one"));
    String malformed = "this-is-not-base64!" + Azurite.ACCOUNT_KEY.substring(20, 40);
    Path cfg = new LocalWorkspace().withKeyDatastore("ds", proxy.accountUrl(Azurite.ACCOUNT),
        container.getBlobContainerName(), malformed).writeTo(dir.resolve("badkey/config.json"));

    AzureMLException e = assertThrows(AzureMLException.class,
        () -> filesFor(cfg).downloadFromDatastore("ds", "k/", dir.resolve("out").toString()));

    assertTrue(e.getMessage().contains("account_key"), e.getMessage());
    assertTrue(e.getMessage().contains("ds"), e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertNoSecret(t.getClass().getSimpleName(), String.valueOf(t.getMessage()),
          List.of(malformed, Azurite.ACCOUNT_KEY.substring(20, 40)));
    }
    assertEquals(0, proxy.blobGets());
  }

  // ----- a datastore defined with a SAS token -----

  private String containerSas(BlobContainerSasPermission permission) {
    return container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1), permission));
  }

  private Path sasConfig(String name, String sas) {
    return new LocalWorkspace().withSasDatastore("sasds", proxy.accountUrl(Azurite.ACCOUNT),
        container.getBlobContainerName(), sas).writeTo(dir.resolve(name).resolve("config.json"));
  }

  private AzureMLFiles filesFor(Path workspaceConfig) {
    return AzureMLFiles.builder().spark(TestEnvironment.spark()).workspaceConfig(workspaceConfig.toString()).build();
  }

  @Test
  void sasDatastoreDownloadsAndItsSignatureNeverShows() throws IOException {
    String sas = containerSas(new BlobContainerSasPermission().setReadPermission(true).setListPermission(true));
    List<String> sig = signatureOf(sas);
    Path sasConfig = sasConfig("sas", sas);
    assertTrue(Files.readString(sasConfig).contains(sig.get(0)), "the config carries the signature");
    AzureMLFiles sasFiles = filesFor(sasConfig);
    TestEnvironment.put(container, "p/1.txt", bytes("one"));
    TestEnvironment.put(container, "p/sub/2.txt", bytes("two"));
    TestEnvironment.put(container, "p/bad.bin", new byte[20_000]);
    Path out = dir.resolve("out");

    TransferReport report = sasFiles.downloadFromDatastore("sasds", "p/",
        out.toString(), TransferOptions.defaults().pathGlobFilter("*.txt"));

    assertEquals(2, report.transferred());
    assertArrayEquals(bytes("one"), TestEnvironment.read(out.resolve("p/1.txt")));
    assertArrayEquals(bytes("two"), TestEnvironment.read(out.resolve("p/sub/2.txt")));
    assertTrue(proxy.requests().stream().filter(BlobProxy.Recorded::isBlobGet)
            .allMatch(r -> r.pathAndQuery().contains("sig=" + sig.get(0))),
        "executors use the datastore's own SAS: " + proxy.requests());
    assertNoSecretInReport(report, sig);

    Dataset<Row> df = reader(sasConfig, "sasds", "p/").load();
    assertEquals(3, df.select("path", "content").collectAsList().size());
    for (String text : explainOutputs(df)) {
      assertNoSecret("explain", text, sig);
    }
    Dataset<Row> dl = reader(sasConfig, "sasds", "p/").option("outputFolder", dir.resolve("o2").toString())
        .option("pathGlobFilter", "*.txt").load();
    for (String text : explainOutputs(dl)) {
      assertNoSecret("explain", text, sig);
    }

    // A FAILED file.
    proxy.fail("p/bad.bin", BlobProxy.Fault.CUT_SHORT, 1000);
    TransferException e;
    try (SessionConf retries = SessionConf.shortRetries()) {
      e = assertThrows(TransferException.class,
          () -> sasFiles.downloadFromDatastore("sasds", "p/", dir.resolve("o3").toString()));
    }
    assertEquals(1, e.report().failed());
    assertEquals(2, e.report().transferred());
    assertNoSecret("TransferException", e.getMessage(), sig);
    assertNoSecretInReport(e.report(), sig);
    assertNoSecret("FAILED file's error", e.report().failures().get(0).error(), sig);

    // Unknown name in the same workspace.
    DatastoreNotFoundException notFound = assertThrows(DatastoreNotFoundException.class,
        () -> sasFiles.downloadFromDatastore("other", "p/", dir.resolve("o4").toString()));
    assertTrue(notFound.getMessage().contains("sasds"), notFound.getMessage());
    assertNoSecret("DatastoreNotFoundException", notFound.getMessage(), sig);
  }

  @Test
  void sasCopiedWithALeadingQuestionMarkWorksToo() {
    String sas = containerSas(new BlobContainerSasPermission().setReadPermission(true).setListPermission(true));
    TestEnvironment.put(container, "q/1.txt", bytes("one"));
    TransferReport report = filesFor(sasConfig("qsas", "?" + sas))
        .downloadFromDatastore("sasds", "q/", dir.resolve("out").toString());
    assertEquals(1, report.transferred());
    assertArrayEquals(bytes("one"), TestEnvironment.read(dir.resolve("out/q/1.txt")));
  }

  @Test
  void sasWithoutReadPermissionFailsEachFileWithAnAccessErrorAndNoSignature() throws IOException {
    String sas = containerSas(new BlobContainerSasPermission().setListPermission(true));
    List<String> sig = signatureOf(sas);
    TestEnvironment.put(container, "r/1.txt", bytes("one"));
    Path out = dir.resolve("out");

    TransferException e = assertThrows(TransferException.class,
        () -> filesFor(sasConfig("listonly", sas)).downloadFromDatastore("sasds", "r/", out.toString()));

    assertEquals(1, e.report().failed());
    FileTransfer f = e.report().failures().get(0);
    assertEquals(TransferStatus.FAILED, f.status());
    assertTrue(f.error().contains("403"), f.error());
    assertTrue(e.getMessage().contains("r/1.txt"), e.getMessage());
    assertNoSecret("TransferException", e.getMessage(), sig);
    assertNoSecretInReport(e.report(), sig);
    assertEquals(List.of(), TestEnvironment.files(out), "nothing is left behind");
  }

  @Test
  void sasWithoutListPermissionFailsTheListingWithAnAccessErrorAndNoSignature() {
    String sas = containerSas(new BlobContainerSasPermission().setReadPermission(true));
    List<String> sig = signatureOf(sas);
    TestEnvironment.put(container, "l/1.txt", bytes("one"));

    AzureMLException e = assertThrows(AzureMLException.class,
        () -> filesFor(sasConfig("readonly", sas)).downloadFromDatastore("sasds", "l/",
            dir.resolve("out").toString()));

    assertTrue(e.getMessage().contains("403"), e.getMessage());
    assertTrue(e.getMessage().contains(container.getBlobContainerName()), e.getMessage());
    assertNoSecret("listing failure", e.getMessage(), sig);
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      assertNoSecret("cause", String.valueOf(c.getMessage()), sig);
    }
    assertEquals(0, proxy.blobGets());
  }
}
