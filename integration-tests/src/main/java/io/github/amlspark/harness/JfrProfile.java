package io.github.amlspark.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a profiled cold run's time went, from its flight recording: milestones (the first load of the
 * classes that mark a phase, the first answer from the emulator, the first and last byte written to the
 * output), a timeline of CPU samples per half second by the code they were in, and the hottest methods.
 * CPU samples ({@code jdk.ExecutionSample}, every 10 ms per thread running Java code) show where the
 * CPU went, not waits; the recording itself starts about half a second into the JVM and slows it a little.
 */
final class JfrProfile {
  /** What the recording needs beyond JFR's {@code profile} settings: every class load, write and read. */
  static final String EXTRA_SETTINGS = "jdk.ClassLoad#enabled=true,jdk.FileWrite#threshold=0ms,"
      + "jdk.SocketRead#threshold=0ms";
  /** The timeline's rows: half a second each, longer when the run was long (at most about 40 rows). */
  private static final double MIN_BUCKET = 0.5;
  private static final int MAX_ROWS = 40;

  /** Milestones: the first class loaded whose name starts with the key. */
  private static final Map<String, String> FIRST_LOADS = new LinkedHashMap<>();

  static {
    FIRST_LOADS.put("io.github.amlspark.cli.AmlSparkCli", "command line's main class loaded");
    FIRST_LOADS.put("org.apache.spark.SparkContext", "Spark context starts");
    FIRST_LOADS.put("org.apache.spark.sql.SparkSession", "Spark session class loaded");
    FIRST_LOADS.put("io.github.amlspark.AzureMLFiles", "Java API (AzureMLFiles) loaded");
    FIRST_LOADS.put("org.apache.spark.sql.catalyst.analysis.Analyzer", "Spark SQL analysis starts");
    FIRST_LOADS.put("com.azure.storage.blob", "first Azure storage SDK class");
    FIRST_LOADS.put("org.codehaus.janino", "code generation (janino) starts");
    FIRST_LOADS.put("org.apache.spark.scheduler.ResultTask", "first Spark task");
    FIRST_LOADS.put("io.github.amlspark.transfer", "first transfer-engine class");
  }

  /** Sample categories: the first (top-most) frame whose class starts with a key names it. */
  private static final Map<String, String> CATEGORIES = new LinkedHashMap<>();

  static {
    CATEGORIES.put("io.github.amlspark.shaded", "sdk+libs");
    CATEGORIES.put("io.github.amlspark", "amlspark");
    CATEGORIES.put("com.azure", "sdk+libs");
    CATEGORIES.put("reactor", "sdk+libs");
    CATEGORIES.put("io.netty", "sdk+libs");
    CATEGORIES.put("com.fasterxml", "sdk+libs");
    CATEGORIES.put("org.codehaus", "codegen");
    CATEGORIES.put("org.apache.spark.sql", "spark-sql");
    CATEGORIES.put("org.apache.spark", "spark-core");
    CATEGORIES.put("org.sparkproject", "spark-core");
    CATEGORIES.put("org.apache.hadoop", "hadoop");
  }

  private static final List<String> COLUMNS = List.of("classload", "amlspark", "sdk+libs", "spark-sql", "codegen",
      "spark-core", "hadoop", "other");

  private JfrProfile() {
  }

  /**
   * @param recording the flight recording
   * @param output the run's output folder (its writes mark the transfer)
   * @param storagePort the emulator's port
   * @param out where to print
   * @throws IOException when the recording cannot be read
   */
  static void print(Path recording, Path output, int storagePort, PrintStream out) throws IOException {
    Instant jvmStart = null;
    Instant last = Instant.MIN;
    Map<String, Instant> milestones = new LinkedHashMap<>();
    Map<String, Instant> firstLoads = new LinkedHashMap<>();
    TreeMap<Integer, Map<String, Integer>> timeline = new TreeMap<>();
    Map<Integer, Integer> loadsPerBucket = new TreeMap<>();
    Map<Integer, Long> writtenPerBucket = new TreeMap<>();
    Map<String, Integer> hot = new LinkedHashMap<>();
    List<RecordedEvent> pending = new java.util.ArrayList<>();
    int samples = 0;
    Duration gc = Duration.ZERO;
    String outputPrefix = output.toAbsolutePath().toString();
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        String type = e.getEventType().getName();
        if (e.getEndTime().isAfter(last)) {
          last = e.getEndTime();
        }
        switch (type) {
          case "jdk.JVMInformation" -> jvmStart = e.getInstant("jvmStartTime");
          case "jdk.GarbageCollection" -> gc = gc.plus(e.getDuration());
          case "jdk.ClassLoad" -> {
            RecordedClass loaded = e.getClass("loadedClass");
            if (loaded != null) {
              FIRST_LOADS.keySet().stream().filter(loaded.getName()::startsWith).findFirst()
                  .ifPresent(k -> firstLoads.merge(k, e.getStartTime(), (a, b) -> a.isBefore(b) ? a : b));
            }
            pending.add(e);
          }
          case "jdk.SocketRead" -> {
            if (e.getInt("port") == storagePort) {
              milestones.merge("first answer read from the emulator", e.getStartTime(),
                  (a, b) -> a.isBefore(b) ? a : b);
            }
          }
          case "jdk.FileWrite" -> {
            String path = e.getString("path");
            if (path != null && path.startsWith(outputPrefix)) {
              milestones.merge("first byte written to the output", e.getStartTime(), (a, b) -> a.isBefore(b) ? a : b);
              milestones.merge("last byte written to the output", e.getEndTime(), (a, b) -> a.isAfter(b) ? a : b);
              pending.add(e);
            }
          }
          case "jdk.ExecutionSample" -> {
            samples++;
            List<RecordedFrame> frames = e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames();
            if (!frames.isEmpty()) {
              RecordedFrame top = frames.get(0);
              hot.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1, Integer::sum);
            }
            pending.add(e);
          }
          default -> {
          }
        }
      }
    }
    if (jvmStart == null) {
      out.println("  (no jdk.JVMInformation event in the recording: no profile)");
      return;
    }
    double bucketSize = Math.max(MIN_BUCKET,
        Math.ceil(seconds(jvmStart, last) / MAX_ROWS / MIN_BUCKET) * MIN_BUCKET);
    for (RecordedEvent e : pending) {
      int bucket = (int) (seconds(jvmStart, e.getStartTime()) / bucketSize);
      switch (e.getEventType().getName()) {
        case "jdk.ClassLoad" -> loadsPerBucket.merge(bucket, 1, Integer::sum);
        case "jdk.FileWrite" -> writtenPerBucket.merge(bucket, e.getLong("bytesWritten"), Long::sum);
        default -> timeline.computeIfAbsent(bucket, b -> new LinkedHashMap<>())
            .merge(category(e.getStackTrace() == null ? List.of() : e.getStackTrace().getFrames()), 1, Integer::sum);
      }
    }
    out.println("  milestones, seconds since the JVM started:");
    Map<String, Instant> all = new LinkedHashMap<>();
    FIRST_LOADS.forEach((k, label) -> {
      if (firstLoads.containsKey(k)) {
        all.put(label, firstLoads.get(k));
      }
    });
    all.putAll(milestones);
    all.put("last event recorded (the JVM exits)", last);
    final Instant origin = jvmStart;
    all.entrySet().stream().sorted(Map.Entry.comparingByValue())
        .forEach(m -> out.printf(Locale.ROOT, "    %6.2f  %s%n", seconds(origin, m.getValue()), m.getKey()));
    out.printf(Locale.ROOT, "  GC pauses in total: %.2f s; CPU samples: %d%n", gc.toNanos() / 1e9, samples);
    out.printf(Locale.ROOT, "  timeline, %.1f s buckets: CPU samples by the top-most frame's code (classload: any "
        + "frame in a class loader), class-load events, MB written to the output%n", bucketSize);
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "    %6s", "t"));
    COLUMNS.forEach(c -> header.append(String.format(Locale.ROOT, " %10s", c)));
    out.println(header.append(String.format(Locale.ROOT, " %10s %8s", "loads", "MB")));
    int lastBucket = (int) (seconds(jvmStart, last) / bucketSize);
    for (int b = 0; b <= lastBucket; b++) {
      Map<String, Integer> row = timeline.getOrDefault(b, Map.of());
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "    %6.1f", b * bucketSize));
      COLUMNS.forEach(c -> line.append(String.format(Locale.ROOT, " %10d", row.getOrDefault(c, 0))));
      out.println(line.append(String.format(Locale.ROOT, " %10d %8.1f", loadsPerBucket.getOrDefault(b, 0),
          writtenPerBucket.getOrDefault(b, 0L) / 1e6)));
    }
    out.println("  top 25 methods by CPU samples in the method itself (top frame):");
    int total = samples;
    hot.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(25)
        .forEach(h -> out.printf(Locale.ROOT, "    %5d  %5.1f %%  %s%n", h.getValue(), 100.0 * h.getValue() / total,
            h.getKey()));
  }

  private static String category(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      String type = f.getMethod().getType().getName();
      if (type.startsWith("java.lang.ClassLoader") || type.startsWith("jdk.internal.loader")
          || type.startsWith("java.net.URLClassLoader")) {
        return "classload";
      }
    }
    for (RecordedFrame f : frames) {
      String type = f.getMethod().getType().getName();
      for (Map.Entry<String, String> c : CATEGORIES.entrySet()) {
        if (type.startsWith(c.getKey())) {
          return c.getValue();
        }
      }
    }
    return "other";
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e9;
  }
}
