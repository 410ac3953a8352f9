package io.github.amlspark.it;

import io.github.amlspark.harness.Azurite;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on loopback: a Master and a Worker JVM (two cores, so two one-core executors
 * per application) started from the Maven jars on the test classpath, without a Spark distribution. Its
 * {@code SPARK_HOME} holds an empty {@code jars/}; {@code SPARK_DIST_CLASSPATH} is Spark's runtime
 * classpath: the test classpath without this project's code and the test-only libraries, so that the
 * connector reaches drivers and executors only as a user's {@code --jars}.
 */
final class StandaloneCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Pattern EXECUTOR_ID = Pattern.compile("--executor-id (\\S+)");
  // hadoop-azure and what it needs beyond Spark: not Spark's, so an application brings it (--jars).
  private static final List<String> HADOOP_AZURE = List.of("/org/apache/hadoop/hadoop-azure/",
      "/com/microsoft/azure/", "/org/wildfly/", "/jetty-util-ajax/");
  // Test-only libraries and this project's own code: never on a Spark JVM's classpath here.
  private static final List<String> NOT_SPARK = Stream.concat(Stream.of("/io/github/amlspark/",
      "/target/classes", "/target/test-classes", "/org/junit/", "/org/opentest4j/", "/org/apiguardian/",
      "/org/wiremock/", "/surefire", "/failsafe", "amlspark-connector", "amlspark-integration-tests"),
      HADOOP_AZURE.stream()).toList();

  private final Path home;
  private final String classPath;
  private final List<String> jvmFlags;
  private final int masterPort;
  private final Process master;
  private final Process worker;

  private StandaloneCluster(Path home, String classPath, List<String> jvmFlags, int masterPort, Process master,
      Process worker) {
    this.home = home;
    this.classPath = classPath;
    this.jvmFlags = jvmFlags;
    this.masterPort = masterPort;
    this.master = master;
    this.worker = worker;
  }

  /**
   * Starts the Master and the Worker and waits until the Worker has registered.
   *
   * @return the running cluster
   * @throws IOException when a JVM cannot start
   * @throws IllegalStateException when the cluster is not up within {@link #START_TIMEOUT}, with its logs
   */
  static StandaloneCluster start() throws IOException, InterruptedException {
    Path home = Files.createTempDirectory("amlspark-spark-home");
    Files.createDirectories(home.resolve("jars"));
    String classPath = sparkClassPath();
    List<String> flags = openings();
    int port = Azurite.freePort();
    int uiPort = Azurite.freePort();
    Process master = startDaemon(home, classPath, flags, "master", List.of("org.apache.spark.deploy.master.Master",
        "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", String.valueOf(uiPort)));
    Process worker = startDaemon(home, classPath, flags, "worker", List.of("org.apache.spark.deploy.worker.Worker",
        "--host", "127.0.0.1", "--cores", "2", "--memory", "2g", "--webui-port", String.valueOf(Azurite.freePort()),
        "--work-dir", home.resolve("work").toString(), "spark://127.0.0.1:" + port));
    StandaloneCluster cluster = new StandaloneCluster(home, classPath, flags, port, master, worker);
    try {
      cluster.awaitWorker(uiPort);
    } catch (RuntimeException | InterruptedException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private static Process startDaemon(Path home, String classPath, List<String> flags, String name,
      List<String> mainAndArgs) throws IOException {
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m"));
    command.addAll(flags);
    command.addAll(List.of("-cp", classPath));
    command.addAll(mainAndArgs);
    ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
        .redirectOutput(home.resolve(name + ".out").toFile()).redirectError(home.resolve(name + ".err").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(environment(home, classPath));
    return builder.start();
  }

  /** Polls the Master's status page until it counts one live Worker with two cores. */
  private void awaitWorker(int uiPort) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest status = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + uiPort + "/json/"))
        .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!master.isAlive() || !worker.isAlive()) {
        throw new IllegalStateException("The standalone cluster's " + (master.isAlive() ? "Worker" : "Master")
            + " exited while starting.\n" + logs());
      }
      try {
        String json = client.send(status, HttpResponse.BodyHandlers.ofString()).body();
        if (json.matches("(?s).*\"aliveworkers\"\\s*:\\s*1\\b.*") && json.matches("(?s).*\"cores\"\\s*:\\s*2\\b.*")) {
          return;
        }
      } catch (IOException notYet) {
        // The Master's web UI is not listening yet.
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("The standalone cluster did not come up within " + START_TIMEOUT.toSeconds()
        + " s (no live Worker with 2 cores at the Master).\n" + logs());
  }

  /**
   * A driver JVM started as {@code spark-submit --deploy-mode client} starts one.
   *
   * @param process the driver's process
   * @param port its {@code spark.driver.port}, which names its executors ({@link #executorsOf})
   * @param out its standard output
   * @param err its standard error
   */
  record Driver(Process process, int port, Path out, Path err) {
  }

  /**
   * Submits an application in client mode: the driver runs in a JVM of its own, {@code SparkSubmit} on
   * Spark's classpath alone, with the connector only in {@code --jars}, as users submit theirs.
   *
   * @param appJar the application's jar
   * @param mainClass its main class
   * @param jars what {@code --jars} passes (the shaded connector jar)
   * @param conf more {@code --conf} entries
   * @param driverFlags more flags for the driver's JVM ({@code --driver-java-options})
   * @param args the application's arguments
   * @param logs where the driver's standard output and error go
   * @return the started driver
   * @throws IOException when it cannot start
   */
  Driver submit(Path appJar, String mainClass, List<Path> jars, Map<String, String> conf,
      List<String> driverFlags, List<String> args, Path logs) throws IOException {
    int port = Azurite.freePort();
    Map<String, String> all = new java.util.LinkedHashMap<>();
    all.put("spark.driver.host", "127.0.0.1");
    all.put("spark.driver.port", String.valueOf(port));
    all.put("spark.executor.cores", "1");
    all.put("spark.cores.max", "2");
    all.put("spark.executor.memory", "512m");
    all.put("spark.ui.enabled", "false");
    // Both executors registered before the first job, so that the work spreads over the two.
    all.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
    all.put("spark.executor.extraJavaOptions", String.join(" ", jvmFlags));
    all.putAll(conf);
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx768m"));
    command.addAll(jvmFlags);
    command.addAll(driverFlags);
    command.addAll(List.of("-cp", classPath, "org.apache.spark.deploy.SparkSubmit", "--master", masterUrl(),
        "--deploy-mode", "client"));
    all.forEach((k, v) -> command.addAll(List.of("--conf", k + "=" + v)));
    command.addAll(List.of("--jars", jars.stream().map(Path::toString).collect(Collectors.joining(",")),
        "--class", mainClass, appJar.toString()));
    command.addAll(args);
    Files.createDirectories(logs);
    Path out = logs.resolve("driver-" + port + ".out");
    Path err = logs.resolve("driver-" + port + ".err");
    ProcessBuilder builder = new ProcessBuilder(command).directory(logs.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(environment(home, classPath));
    return new Driver(builder.start(), port, out, err);
  }

  /** @return the Master's URL, for {@code --master} */
  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** @return the {@code java} of this JVM */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * @param driverPort a driver's {@code spark.driver.port}
   * @return the live executor JVMs of that driver's application, by executor id
   */
  static Map<String, ProcessHandle> executorsOf(int driverPort) {
    String driverUrl = "@127.0.0.1:" + driverPort + " ";
    Map<String, ProcessHandle> executors = new TreeMap<>();
    ProcessHandle.allProcesses().forEach(p -> {
      Optional<String> line = commandLine(p.pid());
      if (line.isPresent() && line.get().contains("CoarseGrainedExecutorBackend")
          && line.get().contains(driverUrl)) {
        Matcher id = EXECUTOR_ID.matcher(line.get());
        if (id.find()) {
          executors.put(id.group(1), p);
        }
      }
    });
    return executors;
  }

  /**
   * @return a process's arguments joined by spaces, with a space at the end, read from /proc (the JDK's
   *     {@code ProcessHandle.Info.arguments()} came back empty for the Worker's executors here)
   */
  private static Optional<String> commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
      return Optional.of(new String(raw, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' '));
    } catch (IOException | SecurityException gone) {
      return Optional.empty();
    }
  }

  /**
   * @param pid a JVM of this user
   * @return its threads' stacks ({@code jcmd Thread.print}), for a failure message about a stuck process
   */
  static String threadDump(long pid) {
    try {
      Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          String.valueOf(pid), "Thread.print").redirectErrorStream(true).start();
      String dump = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      jcmd.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
      return dump;
    } catch (IOException e) {
      return "(no thread dump: " + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(no thread dump: interrupted)";
    }
  }

  /** @return the Master's, the Worker's and the executors' logs, for a failure message */
  String logs() {
    StringBuilder text = new StringBuilder();
    try (var files = Files.walk(home)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".err") || p.getFileName().toString().equals("stderr"))
          .sorted().toList()) {
        String log = Files.readString(f);
        text.append("--- ").append(home.relativize(f)).append(":\n")
            .append(log.length() > 4000 ? log.substring(log.length() - 4000) : log).append('\n');
      }
    } catch (IOException e) {
      text.append("(logs unreadable: ").append(e).append(")");
    }
    return text.toString();
  }

  /**
   * @return the executors' standard output and error files of every application so far (the Worker's
   *     {@code work/<app>/<executor>/stdout|stderr})
   * @throws IOException when the folder cannot be walked
   */
  List<Path> executorLogs() throws IOException {
    Path work = home.resolve("work");
    if (!Files.isDirectory(work)) {
      return List.of();
    }
    try (var files = Files.walk(work)) {
      return files.filter(p -> Files.isRegularFile(p) && List.of("stdout", "stderr")
          .contains(p.getFileName().toString())).sorted().toList();
    }
  }

  /**
   * @return hadoop-azure and what it needs beyond Spark (the WASB SDK and its helpers), from the test
   *     classpath: kept off Spark's classpath here, an application passes them in {@code --jars} as users
   *     pass {@code --packages org.apache.hadoop:hadoop-azure}
   */
  static List<Path> hadoopAzureJars() {
    String testClassPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(testClassPath.split(File.pathSeparator))
        .filter(entry -> HADOOP_AZURE.stream().anyMatch(entry.replace('\\', '/')::contains))
        .map(Path::of).toList();
  }

  private static Map<String, String> environment(Path home, String classPath) {
    return Map.of("SPARK_HOME", home.toString(), "SPARK_DIST_CLASSPATH", classPath, "SPARK_SCALA_VERSION", "2.12",
        "SPARK_LOCAL_IP", "127.0.0.1", "JAVA_HOME", System.getProperty("java.home"),
        "SPARK_CONF_DIR", home.resolve("conf").toString());
  }

  private static String sparkClassPath() {
    String testClassPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(testClassPath.split(File.pathSeparator))
        .filter(entry -> NOT_SPARK.stream().noneMatch(entry.replace('\\', '/')::contains))
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** The test JVM's own --add-opens and JDK flags, which the failsafe configuration takes from the pom. */
  private static List<String> openings() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(arg -> arg.startsWith("--add-opens") || arg.startsWith("-Djdk.")).toList();
  }

  @Override
  public void close() {
    for (Process p : List.of(worker, master)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroy();
    }
    for (Process p : List.of(worker, master)) {
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    try (var files = Files.walk(home)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // Best effort: a temporary folder.
    }
  }
}
