package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.NoFilesFoundException;
import io.github.amlspark.TransferException;
import io.github.amlspark.TransferReport;
import io.github.amlspark.harness.Azurite;
import io.github.amlspark.spark.SparkInternals;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFirehoseListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.ExplainMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.JsonProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import scala.runtime.AbstractFunction0;
import scala.runtime.BoxedUnit;

/**
 * No secret (account key, SAS signature, bearer token) shows anywhere a user or an operator can see it:
 * logs at every level, exception messages and stack traces, {@code toString()} of reports, query plans
 * ({@code explain}) and Spark listener events (what the event log and the Spark UI show). Downloads,
 * uploads, reads, writes and failures run once against an account-key and a SAS datastore served by the
 * ARM stub, while everything they produce is captured; each test then searches one source.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretLeakIT {
  /** A SAS signature: its first 6 characters, then the rest. */
  private static final Pattern SIG = Pattern.compile("(?i)(sig(?:=|%3d))([^&\\s\"'\\\\]{1,6})([^&\\s\"'\\\\]*)");
  /** Loggers raised to ALL; everything else is captured from DEBUG (Spark at TRACE is only noise). */
  private static final List<String> LOUD = List.of("io.github.amlspark", "com.azure", "com.microsoft.aad");

  @TempDir
  static Path dir;
  private final ArmStub arm = new ArmStub();
  private final Map<String, List<String>> captured = new LinkedHashMap<>();
  private final List<String> secrets = new ArrayList<>(List.of(Azurite.ACCOUNT_KEY,
      URLEncoder.encode(Azurite.ACCOUNT_KEY, StandardCharsets.UTF_8), Azurite.ACCOUNT_KEY.substring(0, 16),
      StaticTokenCredential.TOKEN));

  @BeforeAll
  void runEverythingWhileCapturing() throws Exception {
    SparkSession spark = TestEnvironment.spark();
    // Seeding uses the test's own key client: done before capturing, so only the connector is watched.
    BlobContainerClient keyContainer = seeded("leakkey");
    BlobContainerClient sasContainer = seeded("leaksas");
    String keyDs = unique("leakkey");
    String sasDs = unique("leaksas");
    String noReadDs = unique("leaknoread");
    String forbiddenDs = unique("leak403");
    arm.datastore(keyDs, "AzureBlob", Azurite.ACCOUNT, keyContainer.getBlobContainerName(), "AccountKey",
        "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}");
    sasDatastore(sasDs, sasContainer, new BlobContainerSasPermission().setReadPermission(true)
        .setListPermission(true).setCreatePermission(true).setWritePermission(true));
    // A SAS that may list but not read: each file fails, in the driver's download and in Spark's tasks.
    sasDatastore(noReadDs, sasContainer, new BlobContainerSasPermission().setListPermission(true));
    arm.server().stubFor(ArmStub.getDatastore(forbiddenDs).willReturn(ArmStub.error(403, "AuthorizationFailed",
        "The client does not have authorization to perform action.")));
    Path config = arm.workspaceConfig(dir.resolve("cfg"));
    // The azureml file system: an account-key datastore on the WASB emulator, set up as Hadoop entries.
    BlobContainerClient fsContainer = new BlobServiceClientBuilder()
        .connectionString(TestEnvironment.wasbAzurite().connectionString()).buildClient()
        .getBlobContainerClient(unique("leakfs"));
    fsContainer.create();
    TestEnvironment.put(fsContainer, "a/1.txt", "one".getBytes(StandardCharsets.UTF_8));
    String fsDs = unique("leakfs");
    arm.datastore(fsDs, "AzureBlob", Azurite.ACCOUNT, fsContainer.getBlobContainerName(), "AccountKey",
        "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}");
    org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    hadoop.set("fs.azureml.workspaceConfig", arm.workspaceConfig(dir.resolve("fscfg"),
        TestEnvironment.wasbAzurite().accountUrl()).toString());
    hadoop.set("fs.azureml.credentialProvider", StaticTokenCredential.class.getName());
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("up.txt"), "up");

    List<String> events = Collections.synchronizedList(new ArrayList<>());
    SparkFirehoseListener listener = new SparkFirehoseListener() {
      @Override
      public void onEvent(SparkListenerEvent event) {
        events.add(event.toString());
        try {
          events.add(JsonProtocol.sparkEventToJsonString(event));
        } catch (RuntimeException e) {
          events.add("UNSERIALIZED " + event.getClass().getName() + ": " + e);
        }
      }
    };
    StringWriter log = new StringWriter();
    Runnable stopCapture = captureLogs(log);
    spark.sparkContext().addSparkListener(listener);
    try {
      AzureMLFiles files = AzureMLFiles.builder().spark(spark).workspaceConfig(config.toString())
          .credential(new StaticTokenCredential()).build();
      for (String ds : List.of(keyDs, sasDs)) {
        TransferReport down = files.downloadFromDatastore(ds, "a", dir.resolve("out-" + ds).toString());
        assertEquals(1, down.transferred());
        TransferReport up = files.uploadToDatastore(ds, src.toString(), "up");
        assertEquals(1, up.transferred());
        addReport(down);
        addReport(up);
        Dataset<Row> df = read(config, ds);
        assertEquals(1, df.collectAsList().size());
        plans(df).forEach(p -> add("explain", p));
        StructType schema = new StructType().add("path", DataTypes.StringType)
            .add("content", DataTypes.BinaryType);
        spark.createDataFrame(List.of(RowFactory.create("w.txt", "w".getBytes(StandardCharsets.UTF_8))), schema)
            .write().format("azureml").option("workspaceConfig", config.toString())
            .option("credentialProvider", StaticTokenCredential.class.getName())
            .option("datastore", ds).option("path", "w").mode("append").save();
      }
      // Failures: ARM refuses the lookup (through the API and through Spark), a prefix matching nothing, and
      // storage refusing every read (a FAILED file in the report, a failed task in Spark).
      addThrown(assertThrows(Exception.class,
          () -> files.downloadFromDatastore(forbiddenDs, "", dir.resolve("x").toString())));
      addThrown(assertThrows(Exception.class, () -> read(config, forbiddenDs).collectAsList()));
      for (String ds : List.of(keyDs, sasDs)) {
        addThrown(assertThrows(NoFilesFoundException.class,
            () -> files.downloadFromDatastore(ds, "nothing-here/", dir.resolve("y").toString())));
      }
      TransferException noRead = assertThrows(TransferException.class,
          () -> files.downloadFromDatastore(noReadDs, "a", dir.resolve("z").toString()));
      addThrown(noRead);
      addReport(noRead.report());
      addThrown(assertThrows(Exception.class, () -> read(config, noReadDs).collectAsList()));
      // The file system: a read, a write, an unknown datastore; then its SAS is a secret to look for.
      String fsRoot = "azureml://datastores/" + fsDs + "/paths";
      // Filtered, so that codegen's explain has a subtree to show too.
      Dataset<Row> fsRead = spark.read().text(fsRoot + "/a").where("length(value) > 0");
      assertEquals(1, fsRead.collectAsList().size());
      plans(fsRead).forEach(p -> add("explain", p));
      fsRead.write().text(fsRoot + "/copy");
      addThrown(assertThrows(Exception.class,
          () -> spark.read().text("azureml://datastores/" + unique("nosuch") + "/paths/a").collectAsList()));
      String fsSas = hadoop.get("fs.azure.sas." + fsContainer.getBlobContainerName() + ".storageemulator");
      Matcher fsSig = SIG.matcher(fsSas);
      assertTrue(fsSig.find(), "the file system published a SAS");
      secrets.add(fsSig.group(2) + fsSig.group(3));
      secrets.add(URLDecoder.decode(fsSig.group(2) + fsSig.group(3), StandardCharsets.UTF_8));
      // What the Spark UI's environment page and the event log show of the Hadoop configuration.
      List<scala.Tuple2<String, String>> entries = new ArrayList<>();
      hadoop.forEach(e -> entries.add(new scala.Tuple2<>(e.getKey(), e.getValue())));
      add("environment", String.valueOf(org.apache.spark.util.Utils.redact(SparkEnv.get().conf(),
          scala.collection.JavaConverters.asScalaBuffer(entries).toSeq())));
      // The event log and the UI see what the listener bus delivers: let it drain first.
      spark.sparkContext().listenerBus().waitUntilEmpty(30_000);
    } finally {
      spark.sparkContext().removeSparkListener(listener);
      stopCapture.run();
    }
    hadoop.unset("fs.azureml.workspaceConfig");
    hadoop.unset("fs.azureml.credentialProvider");
    add("logs", log.toString());
    captured.put("events", new ArrayList<>(events));
    for (BlobContainerClient c : List.of(keyContainer, sasContainer)) {
      assertEquals("w", c.getBlobClient("w/w.txt").downloadContent().toString(), "the write happened");
    }
  }

  @AfterAll
  void stopArm() {
    arm.close();
  }

  @Test
  void logsAtEveryLevelShowNoSecret() {
    String logs = String.join("\n", texts("logs"));
    // Not vacuous: the connector's own INFO line was captured, and so were DEBUG lines.
    assertTrue(logs.contains("INFO io.github.amlspark.spark.write.AzureMLWrite"), "the connector's INFO line");
    assertTrue(logs.contains("\nDEBUG "), "DEBUG lines were captured");
    assertNoSecret("logs");
  }

  @Test
  void exceptionsShowNoSecret() {
    String all = String.join("\n", texts("exceptions"));
    assertTrue(all.contains("403") && all.contains("AuthorizationFailed"), "the ARM failure was captured");
    assertTrue(all.contains("nothing-here/"), "the NoFilesFound failure was captured");
    assertTrue(all.contains("AuthorizationPermissionMismatch"), "storage's refusal was captured");
    assertNoSecret("exceptions");
  }

  @Test
  void reportsShowNoSecret() {
    assertTrue(texts("toString").size() >= 8, "reports and their files were captured");
    assertNoSecret("toString");
  }

  @Test
  void plansShowNoSecret() {
    texts("explain").forEach(p -> assertTrue(p.contains("azureml"), "the plan shows the source: " + p));
    assertNoSecret("explain");
  }

  @Test
  void theSparkUiAndEventLogShowTheFileSystemsSasRedacted() {
    String environment = String.join("\n", texts("environment"));
    assertTrue(environment.contains("fs.azure.sas."), "the SAS entries are among what is shown");
    assertNoSecret("environment");
  }

  @Test
  void sparkEventsShowNoSecret() {
    String all = String.join("\n", texts("events"));
    assertTrue(all.contains("SparkListenerSQLExecutionStart") && all.contains("azureml"),
        "the SQL executions' events (with their plans) were captured");
    assertTrue(all.contains("SparkListenerJobStart") && all.contains("ExceptionFailure"), "jobs ran, one failed");
    assertTrue(!all.contains("UNSERIALIZED"), "every event has its event-log JSON");
    assertNoSecret("events");
  }

  // ----- capture -----

  private void add(String source, String text) {
    captured.computeIfAbsent(source, s -> new ArrayList<>()).add(text);
  }

  private List<String> texts(String source) {
    List<String> t = captured.getOrDefault(source, List.of());
    assertTrue(!t.isEmpty() && t.stream().allMatch(s -> s != null && !s.isBlank()), source + " was captured");
    return t;
  }

  /** Message, toString and stack trace of an exception and its whole cause chain. */
  private void addThrown(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      add("exceptions", String.valueOf(c.getMessage()));
      add("exceptions", c.toString());
    }
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    add("exceptions", trace.toString());
  }

  private void addReport(TransferReport r) {
    add("toString", r.toString());
    add("toString", r.summary());
    r.files().forEach(f -> add("toString", f.toString()));
  }

  private static Dataset<Row> read(Path config, String ds) {
    return TestEnvironment.spark().read().format("azureml").option("workspaceConfig", config.toString())
        .option("credentialProvider", StaticTokenCredential.class.getName())
        .option("datastore", ds).option("prefix", "a").load().select("path", "content");
  }

  /** Serves a SAS datastore whose token (generated here, before capturing) has these permissions. */
  private void sasDatastore(String ds, BlobContainerClient c, BlobContainerSasPermission permissions) {
    String sas = c.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1), permissions));
    Matcher m = SIG.matcher(sas);
    assertTrue(m.find(), "the SAS has a signature");
    secrets.add(m.group(2) + m.group(3));
    secrets.add(URLDecoder.decode(m.group(2) + m.group(3), StandardCharsets.UTF_8));
    arm.datastore(ds, "AzureBlob", Azurite.ACCOUNT, c.getBlobContainerName(), "Sas",
        "{\"secretsType\": \"Sas\", \"sasToken\": \"?" + sas + "\"}");
  }

  private static String unique(String hint) {
    return hint + UUID.randomUUID().toString().substring(0, 8);
  }

  private static BlobContainerClient seeded(String hint) {
    BlobContainerClient c = TestEnvironment.newContainer(hint);
    TestEnvironment.put(c, "a/1.txt", "one".getBytes(StandardCharsets.UTF_8));
    return c;
  }

  /** @return every rendering of a query's plans: queryExecution, executedPlan, each explain mode, explain(true) */
  private static List<String> plans(Dataset<Row> df) {
    List<String> out = new ArrayList<>(List.of(SparkInternals.queryExecution(df).toString(),
        SparkInternals.queryExecution(df).executedPlan().toString()));
    for (String mode : List.of("simple", "extended", "formatted", "cost", "codegen")) {
      out.add(SparkInternals.queryExecution(df).explainString(ExplainMode.fromString(mode)));
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
    // Dataset.explain prints through Scala's Console.
    scala.Console.withOut(ps, new AbstractFunction0<BoxedUnit>() {
      @Override
      public BoxedUnit apply() {
        df.explain(true);
        return BoxedUnit.UNIT;
      }
    });
    out.add(buf.toString(StandardCharsets.UTF_8));
    return out;
  }

  /**
   * Adds an in-memory appender to the root logger, lowers the root level to DEBUG and {@link #LOUD} to ALL,
   * and keeps the other appenders (the console) at the level they printed before.
   *
   * @return what restores the configuration
   */
  private static Runnable captureLogs(StringWriter sink) {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration cfg = ctx.getConfiguration();
    PatternLayout layout = PatternLayout.newBuilder().withConfiguration(cfg)
        .withPattern("%p %c [%t] %X %m%n%xEx").build();
    Appender capture = WriterAppender.newBuilder().setName("secret-leak-capture").setLayout(layout)
        .setTarget(sink).build();
    capture.start();
    cfg.addAppender(capture);
    LoggerConfig root = cfg.getRootLogger();
    Level rootLevel = root.getLevel();
    record Ref(Appender appender, Level level, Filter filter) {
    }
    Map<String, AppenderRef> declared = new HashMap<>();
    root.getAppenderRefs().forEach(r -> declared.put(r.getRef(), r));
    List<Ref> before = root.getAppenders().values().stream().map(a -> declared.containsKey(a.getName())
        ? new Ref(a, declared.get(a.getName()).getLevel(), declared.get(a.getName()).getFilter())
        : new Ref(a, null, null)).toList();
    for (Ref r : before) { // the console keeps printing only what it printed before
      root.removeAppender(r.appender().getName());
      root.addAppender(r.appender(), r.level() == null ? rootLevel : r.level(), r.filter());
    }
    root.addAppender(capture, null, null);
    root.setLevel(Level.DEBUG);
    Map<String, Level> previous = new HashMap<>(); // null: the logger was not configured
    for (String name : LOUD) {
      LoggerConfig existing = cfg.getLoggers().get(name);
      previous.put(name, existing == null ? null : existing.getLevel());
      if (existing == null) {
        cfg.addLogger(name, new LoggerConfig(name, Level.ALL, true));
      } else {
        existing.setLevel(Level.ALL);
      }
    }
    ctx.updateLoggers();
    return () -> {
      previous.forEach((name, level) -> {
        if (level == null) {
          cfg.removeLogger(name);
        } else {
          cfg.getLoggers().get(name).setLevel(level);
        }
      });
      root.setLevel(rootLevel);
      root.removeAppender(capture.getName());
      for (Ref r : before) {
        root.removeAppender(r.appender().getName());
        root.addAppender(r.appender(), r.level(), r.filter());
      }
      if (cfg instanceof AbstractConfiguration ac) {
        ac.removeAppender(capture.getName());
      }
      ctx.updateLoggers();
      capture.stop();
    };
  }

  // ----- search -----

  /** Fails naming each text of {@code source} that shows a secret, with a masked excerpt around each hit. */
  private void assertNoSecret(String source) {
    List<String> leaks = new ArrayList<>();
    for (String text : texts(source)) {
      String masked = mask(text);
      for (String secret : secrets) {
        if (text.contains(secret)) {
          leaks.add(source + " shows " + secret.substring(0, 6) + "...: "
              + excerpt(masked, masked.indexOf(secret.substring(0, 6) + "***")));
        }
      }
      Matcher sig = SIG.matcher(masked);
      if (sig.find()) {
        leaks.add(source + " shows a SAS signature: " + excerpt(masked, sig.start()));
      }
      if (text.contains("Bearer ")) {
        leaks.add(source + " shows a bearer token: " + excerpt(masked, masked.indexOf("Bearer ")));
      }
    }
    if (!leaks.isEmpty()) {
      fail(leaks.size() + " leak(s):\n" + String.join("\n", leaks));
    }
  }

  /** @return the text with every known secret, signature and bearer token cut to its first 6 characters */
  private String mask(String text) {
    String s = text;
    // Longest first, so that the whole key is cut before its first 16 characters are.
    for (String secret : secrets.stream().sorted((a, b) -> b.length() - a.length()).toList()) {
      s = s.replace(secret, secret.substring(0, 6) + "***");
    }
    s = SIG.matcher(s).replaceAll("$1$2***");
    return s.replaceAll("Bearer (\\S{0,6})\\S*", "Bearer $1***");
  }

  /** @return up to 160 characters either side of a hit in a masked text, on one line */
  private static String excerpt(String masked, int at) {
    return "\u00bb" + masked.substring(Math.max(0, at - 160), Math.min(masked.length(), Math.max(0, at) + 160))
        .replace("\n", "\u23ce") + "\u00ab";
  }
}
