package io.github.amlspark.it;

import io.github.amlspark.spark.SparkInternals;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferException;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * A Spark application for {@link StandaloneClusterIT}, submitted to the standalone cluster with
 * {@code SparkSubmit --jars <the shaded connector jar>} as users submit theirs: the connector is on no
 * classpath of this JVM or the executors but the one {@code --jars} gives. It runs the scenarios its
 * properties file names, in order, and prints what the test asserts on as {@code RESULT key=value} lines
 * on standard output; the test JVM holds the emulator, the proxies and the assertions.
 */
public final class ClusterDriver {
  /** What precedes each result line on standard output. */
  static final String RESULT = "RESULT ";
  /** Printed on standard error around the download that shows its progress bar. */
  static final String PROGRESS_START = "=== amlspark-cluster: progress start ===";
  /** Printed on standard error after that download. */
  static final String PROGRESS_END = "=== amlspark-cluster: progress end ===";
  /** Printed on standard output when a scenario starts: {@code SCENARIO name}. */
  static final String SCENARIO = "SCENARIO ";

  private final SparkSession spark;
  private final Properties props;
  private final AzureMLFiles files;
  private final Tasks tasks = new Tasks();

  private ClusterDriver(SparkSession spark, Properties props) {
    this.spark = spark;
    this.props = props;
    this.files = AzureMLFiles.builder().spark(spark).workspaceConfig(props.getProperty("config")).build();
    spark.sparkContext().addSparkListener(tasks);
  }

  /**
   * @param args the path of a properties file: {@code scenarios} (comma-separated) and their settings
   * @throws Exception when a scenario fails: the JVM exits non-zero
   */
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(Path.of(args[0]))) {
      props.load(in);
    }
    SparkSession spark = SparkSession.builder().appName("amlspark-cluster-it").getOrCreate();
    int exit = 0;
    try {
      emit("driver.pid", ProcessHandle.current().pid());
      emit("driver.connectorJar", AzureMLFiles.class.getProtectionDomain().getCodeSource().getLocation());
      emit("driver.connectorOnSystemClassPath", onSystemClassPath(AzureMLFiles.class.getName()));
      emit("driver.master", spark.sparkContext().master());
      new ClusterDriver(spark, props).runAll();
    } catch (Exception | Error e) {
      e.printStackTrace();
      exit = 1;
    } finally {
      spark.stop();
    }
    System.out.flush();
    System.exit(exit);
  }

  private static boolean onSystemClassPath(String name) {
    try {
      Class.forName(name, false, ClassLoader.getSystemClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private void runAll() throws Exception {
    for (String scenario : props.getProperty("scenarios").split(",")) {
      System.out.println(SCENARIO + scenario);
      System.out.flush();
      spark.sparkContext().setJobGroup(scenario, scenario, false);
      switch (scenario) {
        case "read" -> read();
        case "datastoreDownload" -> report(scenario, files.downloadFromDatastore("ds", "data/",
            props.getProperty("out") + "/datastore", TransferOptions.defaults().validateChecksum(true)));
        case "runDownload" -> report(scenario, AzureMLFiles.builder().spark(spark)
            .workspaceConfig(props.getProperty("runConfig")).build()
            .downloadFilesFromRunId("exp:run_1", props.getProperty("out") + "/run"));
        case "upload" -> report(scenario, files.uploadToDatastore("ds", props.getProperty("uploadFolder"),
            "uploaded", false, false));
        case "write" -> write();
        case "sql" -> sql();
        case "readMetrics" -> readMetrics();
        case "progress" -> progress();
        case "armDownload" -> report(scenario, AzureMLFiles.builder().spark(spark)
            .workspaceConfig(props.getProperty("armConfig")).credential(new ShapedCredential()).build()
            .downloadFromDatastore("armds", "", props.getProperty("out") + "/arm",
                TransferOptions.defaults().validateChecksum(true)));
        case "pause" -> pause();
        case "fileSystem" -> fileSystem();
        default -> {
          if (scenario.startsWith("upload.")) {
            // A folder upload of its own: upload.NAME reads NAME.config and NAME.folder, uploads to NAME/.
            String name = scenario.substring("upload.".length());
            try {
              report(scenario, AzureMLFiles.builder().spark(spark).workspaceConfig(props.getProperty(name + ".config"))
                  .build().uploadToDatastore("ds", props.getProperty(name + ".folder"), name, false, false));
            } catch (TransferException e) {
              // Its report is what the test asserts on; the other scenarios are not held up.
              report(scenario, e.report());
            }
            break;
          }
          if (!scenario.startsWith("download.")) {
            throw new IllegalArgumentException("unknown scenario " + scenario);
          }
          // A whole-container download of its own: download.NAME reads NAME.config and NAME.out.
          String name = scenario.substring("download.".length());
          report(scenario, AzureMLFiles.builder().spark(spark).workspaceConfig(props.getProperty(name + ".config"))
              .build().downloadFromDatastore("ds", "", props.getProperty(name + ".out"),
                  TransferOptions.defaults().validateChecksum(true)));
        }
      }
      spark.sparkContext().clearJobGroup();
      spark.sparkContext().listenerBus().waitUntilEmpty(30_000);
      emit(scenario + ".executors", String.join(",", tasks.executors(scenario)));
      emit(scenario + ".lostTasks", tasks.lost(scenario));
      emit(scenario + ".firstTaskMillis", tasks.firstLaunch(scenario));
    }
  }

  /**
   * Holds the application, its executors alive, until the test JVM has looked at them: prints
   * {@code RESULT pause.ready}, then waits (at most 120 s) for the file {@code pause.go} names.
   */
  private void pause() throws InterruptedException {
    emit("pause.ready", true);
    Path go = Path.of(props.getProperty("pause.go"));
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(go)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the test never let the paused driver go on (" + go + ")");
      }
      Thread.sleep(50);
    }
  }

  /**
   * A partitioned parquet round trip through {@code azureml://} paths, the workspace named as users name
   * it (the session's Hadoop configuration): the driver resolves the datastore through ARM, the executors'
   * file systems read what it published. Then {@code addFile}, as a user adding a file or jar at run time
   * does, makes Spark post the environment (its Hadoop entries, the SAS among them) to the event log again.
   */
  private void fileSystem() throws Exception {
    org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    hadoop.set("fs.azureml.workspaceConfig", props.getProperty("fsConfig"));
    hadoop.set("fs.azureml.credentialProvider", ShapedCredential.class.getName());
    String out = "azureml://datastores/armfs/paths/cluster/table";
    // Two partitions without a shuffle: the write's tasks are the scenario's first.
    spark.range(0, 8, 1, 2).selectExpr("id", "cast(id % 2 as string) as part", "concat('v', id) as v")
        .write().partitionBy("part").parquet(out);
    List<String> back = spark.read().parquet(out).selectExpr("id", "part", "v").collectAsList().stream()
        .map(Row::toString).sorted().toList();
    emit("fileSystem.rows", String.join(";", back));
    emit("fileSystem.inputFiles", String.join(",", new TreeSet<>(spark.read().parquet(out)
        .selectExpr("input_file_name()").collectAsList().stream().map(r -> r.getString(0)
            .replaceFirst("/part-[^/]*$", "/part-*")).toList())));
    Path added = Files.writeString(Files.createDirectories(Path.of(props.getProperty("out"))).resolve("added.txt"),
        "added");
    spark.sparkContext().addFile(added.toString());
  }

  private void read() throws NoSuchAlgorithmException {
    List<Row> rows = spark.read().format("azureml").option("workspaceConfig", props.getProperty("config"))
        .option("datastore", "ds").option("prefix", "data/").load().select("path", "length", "content")
        .collectAsList();
    emit("read.rows", rows.size());
    for (Row r : rows) {
      emit("read.md5." + r.getString(0), md5((byte[]) r.get(2)));
    }
  }

  private void write() throws Exception {
    StructType schema = new StructType().add("path", DataTypes.StringType).add("content", DataTypes.BinaryType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      rows.add(RowFactory.create("w/" + i + ".bin", new byte[i + 1]));
    }
    Map<String, Long> m = PlanMetrics.ofWrite(spark, () -> spark.createDataFrame(rows, schema).repartition(2).write()
        .format("azureml").option("workspaceConfig", props.getProperty("config")).option("datastore", "ds")
        .mode("append").save());
    emit("write.filesTransferred", m.get("filesTransferred"));
    emit("write.bytesTransferred", m.get("bytesTransferred"));
    emit("write.filesFailed", m.get("filesFailed"));
  }

  private void sql() {
    spark.sql("CREATE OR REPLACE TEMPORARY VIEW aml_files USING azureml OPTIONS (workspaceConfig '"
        + props.getProperty("config") + "', datastore 'ds', prefix 'data/')");
    List<String> rows = spark.sql("SELECT path, length FROM aml_files WHERE length > 0 ORDER BY path")
        .collectAsList().stream().map(r -> r.getString(0) + ":" + r.getLong(1)).toList();
    emit("sql.rows", String.join(";", rows));
  }

  private void readMetrics() {
    Dataset<Row> download = spark.read().format("azureml").option("workspaceConfig", props.getProperty("config"))
        .option("datastore", "ds").option("prefix", "data/").option("outputFolder", props.getProperty("out")
            + "/metrics").load();
    emit("readMetrics.rows", download.collectAsList().size());
    Map<String, Long> m = PlanMetrics.of(SparkInternals.queryExecution(download).executedPlan());
    emit("readMetrics.filesTransferred", m.get("filesTransferred"));
    emit("readMetrics.bytesTransferred", m.get("bytesTransferred"));
    emit("readMetrics.filesFailed", m.get("filesFailed"));
  }

  private void progress() {
    // One request in flight per task: files finish one by one, so running tasks' counts move in between.
    spark.conf().set("spark.azureml.transferConcurrency", "1");
    System.err.println(PROGRESS_START);
    System.err.flush();
    try {
      report("progress", AzureMLFiles.builder().spark(spark).workspaceConfig(props.getProperty("progressConfig"))
          .build().downloadFromDatastore("ds", "live/", props.getProperty("out") + "/progress", false, true));
    } finally {
      System.err.println(PROGRESS_END);
      System.err.flush();
      spark.conf().unset("spark.azureml.transferConcurrency");
    }
  }

  private static void report(String scenario, TransferReport report) {
    emit(scenario + ".transferred", report.transferred());
    emit(scenario + ".skipped", report.skipped());
    emit(scenario + ".failed", report.failures().size());
    emit(scenario + ".files", report.files().size());
    emit(scenario + ".paths", String.join(",", new TreeSet<>(report.files().stream().map(FileTransfer::path)
        .toList())));
    emit(scenario + ".skippedPaths", String.join(",", new TreeSet<>(report.files().stream()
        .filter(f -> f.status() == io.github.amlspark.TransferStatus.SKIPPED).map(FileTransfer::path).toList())));
    emit(scenario + ".verified", report.files().stream().filter(FileTransfer::checksumVerified).count());
  }

  private static String md5(byte[] bytes) throws NoSuchAlgorithmException {
    return String.format("%032x", new BigInteger(1, MessageDigest.getInstance("MD5").digest(bytes)));
  }

  private static void emit(String key, Object value) {
    System.out.println(RESULT + key + "=" + value);
    System.out.flush();
  }

  /** Where each scenario's tasks ran (executor ids) and how many were lost with their executor. */
  private static final class Tasks extends SparkListener {
    private final Map<Integer, String> stageGroups = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> executors = new ConcurrentHashMap<>();
    private final Map<String, Integer> lost = new ConcurrentHashMap<>();
    private final Map<String, Long> firstLaunch = new ConcurrentHashMap<>();

    @Override
    public void onTaskStart(SparkListenerTaskStart start) {
      String group = stageGroups.get(start.stageId());
      if (group != null) {
        firstLaunch.merge(group, start.taskInfo().launchTime(), Math::min);
      }
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      String group = start.properties() == null ? null : start.properties().getProperty("spark.jobGroup.id");
      if (group != null) {
        for (Object stage : JavaConverters.seqAsJavaList(start.stageIds())) {
          stageGroups.put((Integer) stage, group);
        }
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      String group = stageGroups.get(end.stageId());
      if (group == null) {
        return;
      }
      executors.computeIfAbsent(group, g -> new TreeSet<>()).add(end.taskInfo().executorId());
      if (end.reason() instanceof ExecutorLostFailure) {
        lost.merge(group, 1, Integer::sum);
      }
    }

    Set<String> executors(String group) {
      return executors.getOrDefault(group, Set.of());
    }

    int lost(String group) {
      return lost.getOrDefault(group, 0);
    }

    /** @return when the group's first task was launched (epoch millis on this machine), or 0 */
    long firstLaunch(String group) {
      return firstLaunch.getOrDefault(group, 0L);
    }
  }

  /**
   * An Entra ID credential of {@code TokenCredential}'s shape without azure-core (the shaded jar relocates
   * its own): the connector adapts it. Its token must never reach an executor.
   */
  public static final class ShapedCredential {
    /** The token it hands out, which the test looks for in the executors. */
    public static final String TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.cluster-token-5d2e8b";

    /**
     * @param context the scopes asked for
     * @return a token valid for an hour
     */
    public Token getTokenSync(Context context) {
      return new Token();
    }

    /** What the token request carries (the adapter sets the scopes). */
    public static final class Context {
      /** @param scopes the scopes asked for */
      public void setScopes(List<String> scopes) {
        // The stub accepts any token, whatever its scopes.
      }
    }

    /** A token and its expiry. */
    public static final class Token {
      /** @return the token */
      public String getToken() {
        return TOKEN;
      }

      /** @return when it expires */
      public java.time.OffsetDateTime getExpiresAt() {
        return java.time.OffsetDateTime.now().plusHours(1);
      }
    }
  }
}
