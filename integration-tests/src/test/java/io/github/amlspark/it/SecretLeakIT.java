package io.github.amlspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.NoFilesFoundException;
import io.github.amlspark.TransferReport;
import io.github.amlspark.harness.Azurite;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;
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
  private static final Pattern SIG = Pattern.compile("(?i)sig(=|%3d)([^&\\s\"'\\\\]+)");
  /** Loggers raised to ALL; everything else is captured from DEBUG (Spark at TRACE is only noise). */
  private static final List<String> LOUD = List.of("io.github.amlspark", "com.azure", "com.microsoft.aad");

  @TempDir
  static Path dir;
  private final ArmStub arm = new ArmStub();
  private final Map<String, List<String>> captured = new LinkedHashMap<>();
  private final List<String> secrets = new ArrayList<>(List.of(Azurite.ACCOUNT_KEY,
      URLEncoder.encode(Azurite.ACCOUNT_KEY, StandardCharsets.UTF_8), Azurite.ACCOUNT_KEY.substring(0, 16),
      StaticTokenCredential.TOKEN));
  private final Set<String> loggersSeen = ConcurrentHashMap.newKeySet();

  @BeforeAll
  void runEverythingWhileCapturing() throws Exception {
    SparkSession spark = TestEnvironment.spark();
    // Seeding uses the test's own key client: done before capturing, so only the connector is watched.
    BlobContainerClient keyContainer = seeded("leakkey");
    BlobContainerClient sasContainer = seeded("leaksas");
    String sas = sasContainer.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
        new BlobContainerSasPermission().setReadPermission(true).setListPermission(true)
            .setCreatePermission(true).setWritePermission(true)));
    Matcher m = SIG.matcher(sas);
    assertTrue(m.find(), "the SAS has a signature");
    secrets.add(m.group(2));
    secrets.add(URLDecoder.decode(m.group(2), StandardCharsets.UTF_8));
    String keyDs = unique("leakkey");
    String sasDs = unique("leaksas");
    String forbiddenDs = unique("leak403");
    arm.datastore(keyDs, "AzureBlob", Azurite.ACCOUNT, keyContainer.getBlobContainerName(), "AccountKey",
        "{\"secretsType\": \"AccountKey\", \"key\": \"" + Azurite.ACCOUNT_KEY + "\"}");
    arm.datastore(sasDs, "AzureBlob", Azurite.ACCOUNT, sasContainer.getBlobContainerName(), "Sas",
        "{\"secretsType\": \"Sas\", \"sasToken\": \"?" + sas + "\"}");
    arm.server().stubFor(ArmStub.getDatastore(forbiddenDs).willReturn(ArmStub.error(403, "AuthorizationFailed",
        "The client does not have authorization to perform action.")));
    Path config = arm.workspaceConfig(dir.resolve("cfg"));
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("up.txt"), "up");

    List<String> events = Collections.synchronizedList(new ArrayList<>());
    SparkFirehoseListener listener = new SparkFirehoseListener() {
      @Override
      public void onEvent(SparkListenerEvent event) {
        events.add(event.toString());
        events.add(JsonProtocol.sparkEventToJsonString(event));
      }
    };
    StringBuilder log = new StringBuilder();
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
        for (TransferReport r : List.of(down, up)) {
          add("toString", r.toString());
          add("toString", r.summary());
          r.files().forEach(f -> add("toString", f.toString()));
        }
        Dataset<Row> df = spark.read().format("azureml").option("workspaceConfig", config.toString())
            .option("credentialProvider", StaticTokenCredential.class.getName())
            .option("datastore", ds).option("prefix", "a").load().select("path", "content");
        assertEquals(1, df.collectAsList().size());
        plans(df).forEach(p -> add("explain", p));
        StructType schema = new StructType().add("path", DataTypes.StringType)
            .add("content", DataTypes.BinaryType);
        spark.createDataFrame(List.of(RowFactory.create("w.txt", "w".getBytes(StandardCharsets.UTF_8))), schema)
            .write().format("azureml").option("workspaceConfig", config.toString())
            .option("credentialProvider", StaticTokenCredential.class.getName())
            .option("datastore", ds).option("path", "w").mode("append").save();
      }
      // Failures: ARM refuses the lookup (through the API and through Spark), and a prefix matching nothing.
      addThrown(assertThrows(Exception.class,
          () -> files.downloadFromDatastore(forbiddenDs, "", dir.resolve("x").toString())));
      addThrown(assertThrows(Exception.class, () -> spark.read().format("azureml")
          .option("workspaceConfig", config.toString())
          .option("credentialProvider", StaticTokenCredential.class.getName())
          .option("datastore", forbiddenDs).load().collectAsList()));
      for (String ds : List.of(keyDs, sasDs)) {
        addThrown(assertThrows(NoFilesFoundException.class,
            () -> files.downloadFromDatastore(ds, "nothing-here/", dir.resolve("y").toString())));
      }
      // The event log and the UI see what the listener bus delivers: let it drain first.
      spark.sparkContext().listenerBus().waitUntilEmpty(30_000);
    } finally {
      spark.sparkContext().removeSparkListener(listener);
      stopCapture.run();
    }
    add("logs", log.toString());
    synchronized (events) {
      events.forEach(e -> add("events", e));
    }
    assertEquals("w", keyContainer.getBlobClient("w/w.txt").downloadContent().toString(), "the write happened");
    assertEquals("w", sasContainer.getBlobClient("w/w.txt").downloadContent().toString(), "the write happened");
  }

  @AfterAll
  void stopArm() {
    arm.close();
  }

  @Test
  void logsAtEveryLevelShowNoSecret() {
    String logs = String.join("\n", texts("logs"));
    // Not vacuous: the connector's own INFO line and azure-core's verbose lines were captured.
    assertTrue(logs.contains("Upload to datastore"), "the connector's log was captured");
    assertTrue(loggersSeen.stream().anyMatch(n -> n.startsWith("com.azure")), "azure logs: " + loggersSeen);
    assertNoSecret("logs");
  }

  @Test
  void exceptionsShowNoSecret() {
    String all = String.join("\n", texts("exceptions"));
    assertTrue(all.contains("403") && all.contains("AuthorizationFailed"), "the ARM failure was captured");
    assertTrue(all.contains("nothing-here/"), "the NoFilesFound failure was captured");
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
  void sparkEventsShowNoSecret() {
    String all = String.join("\n", texts("events"));
    assertTrue(all.contains("SparkListenerSQLExecutionStart") && all.contains("azureml"),
        "the SQL executions' events (with their plans) were captured");
    assertTrue(all.contains("SparkListenerJobStart") && all.contains("SparkListenerTaskEnd"), "jobs ran");
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
    List<String> out = new ArrayList<>(List.of(df.queryExecution().toString(),
        df.queryExecution().executedPlan().toString()));
    for (String mode : List.of("simple", "extended", "formatted", "cost", "codegen")) {
      out.add(df.queryExecution().explainString(ExplainMode.fromString(mode)));
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
  private Runnable captureLogs(StringBuilder sink) {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration cfg = ctx.getConfiguration();
    PatternLayout layout = PatternLayout.newBuilder().withConfiguration(cfg)
        .withPattern("%p %c [%t] %X %m%n%xEx").build();
    Appender capture = new AbstractAppender("secret-leak-capture", null, layout, false, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        loggersSeen.add(event.getLoggerName());
        String line = layout.toSerializable(event);
        synchronized (sink) {
          sink.append(line);
        }
      }
    };
    capture.start();
    cfg.addAppender(capture);
    LoggerConfig root = cfg.getRootLogger();
    Level rootLevel = root.getLevel();
    Map<String, Appender> rootAppenders = new HashMap<>(root.getAppenders());
    Map<String, AppenderRef> refs = new HashMap<>();
    root.getAppenderRefs().forEach(r -> refs.put(r.getRef(), r));
    Function<String, Level> refLevel = n -> refs.get(n) == null ? null : refs.get(n).getLevel();
    rootAppenders.forEach((name, a) -> {
      root.removeAppender(name);
      Level before = refLevel.apply(name);
      root.addAppender(a, before == null ? rootLevel : before, refs.get(name) == null ? null
          : refs.get(name).getFilter());
    });
    root.addAppender(capture, null, null);
    root.setLevel(Level.DEBUG);
    Map<String, Level> previous = new HashMap<>();
    for (String name : LOUD) {
      LoggerConfig existing = cfg.getLoggers().get(name);
      if (existing != null) {
        previous.put(name, existing.getLevel());
        existing.setLevel(Level.ALL);
      } else {
        cfg.addLogger(name, new LoggerConfig(name, Level.ALL, true));
      }
    }
    ctx.updateLoggers();
    return () -> {
      for (String name : LOUD) {
        if (previous.containsKey(name)) {
          cfg.getLoggers().get(name).setLevel(previous.get(name));
        } else {
          cfg.removeLogger(name);
        }
      }
      root.setLevel(rootLevel);
      root.removeAppender(capture.getName());
      rootAppenders.forEach((name, a) -> {
        root.removeAppender(name);
        root.addAppender(a, refLevel.apply(name), refs.get(name) == null ? null : refs.get(name).getFilter());
      });
      if (cfg instanceof AbstractConfiguration ac) {
        ac.removeAppender(capture.getName());
      }
      ctx.updateLoggers();
      capture.stop();
    };
  }

  // ----- search -----

  /** Fails naming each text of {@code source} that shows a secret, with a masked excerpt around the hit. */
  private void assertNoSecret(String source) {
    List<String> leaks = new ArrayList<>();
    for (String text : texts(source)) {
      for (String secret : secrets) {
        int at = text.indexOf(secret);
        if (at >= 0) {
          leaks.add(source + " shows " + secret.substring(0, 6) + "...: " + excerpt(text, at, secret.length()));
        }
      }
      Matcher sig = SIG.matcher(text);
      if (sig.find()) {
        leaks.add(source + " shows a SAS signature: " + excerpt(text, sig.start(), sig.end() - sig.start()));
      }
      int bearer = text.indexOf("Bearer ");
      if (bearer >= 0) {
        leaks.add(source + " shows a bearer token: " + excerpt(text, bearer, 7));
      }
    }
    if (!leaks.isEmpty()) {
      fail(leaks.size() + " leak(s):\n" + String.join("\n", leaks));
    }
  }

  /** @return up to 160 characters around a hit, every known secret and signature cut to its first 6 */
  private String excerpt(String text, int at, int length) {
    String s = text.substring(Math.max(0, at - 160), Math.min(text.length(), at + length + 160));
    for (String secret : secrets) {
      s = s.replace(secret, secret.substring(0, 6) + "***");
    }
    Matcher m = Pattern.compile("(?i)(sig(?:=|%3d))([^&\\s\"'\\\\]{0,6})[^&\\s\"'\\\\]*").matcher(s);
    s = m.replaceAll("$1$2***");
    s = s.replaceAll("Bearer (\\S{0,6})\\S*", "Bearer $1***");
    return "\u00bb" + s.replace("\n", "\u23ce") + "\u00ab";
  }
}
