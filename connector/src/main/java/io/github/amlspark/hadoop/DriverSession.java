package io.github.amlspark.hadoop;

import io.github.amlspark.spark.Sessions;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.SparkSession;

/**
 * The file system's view of Spark: whether this JVM is an executor, and how the driver's resolutions reach
 * the executors. Spark copies {@code SparkContext.hadoopConfiguration()} into every job's configuration
 * when it plans the job, after file sources have listed on the driver; so the entries the driver's file
 * system writes there on its first resolution travel with the job.
 */
final class DriverSession {
  /** Spark's default {@code spark.redaction.regex}. */
  static final String DEFAULT_REDACTION = "(?i)secret|password|token|access[.]key";
  /** What the redaction pattern gains: hadoop-azure's SAS keys, which Spark's default does not match. */
  static final String SAS_REDACTION = "fs[.]azure[.]sas[.]";
  private static final String REDACTION_KEY = "spark.redaction.regex";

  private DriverSession() {
  }

  /** @return whether this JVM is a Spark executor (a local-mode session's tasks run in the driver) */
  static boolean isExecutor() {
    SparkEnv env = SparkEnv.get();
    // SparkContext.DRIVER_IDENTIFIER, which Java cannot name.
    return env != null && !"driver".equals(env.executorId());
  }

  /**
   * Writes entries into the active session's Hadoop configuration, so that the jobs it plans from now on
   * carry them, and makes Spark's redaction (the UI's environment page, the event log) cover the SAS keys.
   *
   * @param entries the entries
   */
  static void publish(Map<String, String> entries) {
    SparkSession session = Sessions.activeOrNull();
    if (session == null) {
      return;
    }
    // SparkEnv's conf is the context's live one; sparkContext().getConf() would be a copy.
    if (SparkEnv.get() != null) {
      extendRedaction(SparkEnv.get().conf());
    }
    Configuration shared = session.sparkContext().hadoopConfiguration();
    entries.forEach((k, v) -> {
      if (!v.equals(shared.get(k))) {
        shared.set(k, v);
      }
    });
  }

  /**
   * Spark reads the pattern each time it redacts, so extending the live conf covers what is shown later.
   *
   * @param conf the driver's live Spark conf
   */
  static void extendRedaction(SparkConf conf) {
    String current = conf.get(REDACTION_KEY, DEFAULT_REDACTION);
    if (!Pattern.compile(current).matcher("fs.azure.sas.container.account").find()) {
      conf.set(REDACTION_KEY, current + "|" + SAS_REDACTION);
    }
  }
}
