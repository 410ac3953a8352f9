package io.github.amlspark.cli;

import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.config.OptionLookup;
import io.github.amlspark.config.TransferEngine;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** The flags every subcommand shares: which workspace, and which Spark. */
final class SessionOptions {
  @Option(names = "--workspace-config", paramLabel = "FILE",
      description = "An Azure ML config.json (default: discovery, see docs/configuration.md).")
  String workspaceConfig;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master (default: spark-submit's, else none: the files move in this process's "
          + "threads, with no Spark session).")
  String master;

  /**
   * @return the Spark session a transfer needs: one for a cluster master (given, or spark-submit's), or
   *     when {@code spark.azureml.transferEngine=spark}; null otherwise, since a local session would only run
   *     its tasks in this JVM's threads, which the transfer does without starting Spark
   */
  SparkSession sessionIfNeeded() {
    String chosen = master != null ? master : System.getProperty("spark.master", "local[*]");
    boolean sparkJob = TransferEngine.parse(OptionLookup.systemSparkConf()) == TransferEngine.SPARK;
    return chosen.startsWith("local") && !sparkJob ? null : session();
  }

  /** @return the Spark session: the master given, spark-submit's, or a local one */
  SparkSession session() {
    SparkSession.Builder builder = SparkSession.builder().appName("amlspark")
        .config("spark.ui.showConsoleProgress", "false");
    if (master != null) {
      builder.master(master);
    } else if (System.getProperty("spark.master") == null) {
      builder.master("local[*]");
    }
    return builder.getOrCreate();
  }

  /**
   * @param spark the session, or null for none
   * @return the Java API on that session and workspace
   */
  AzureMLFiles files(SparkSession spark) {
    AzureMLFiles.Builder builder = AzureMLFiles.builder().spark(spark);
    if (workspaceConfig != null) {
      builder.workspaceConfig(workspaceConfig);
    }
    return builder.build();
  }
}
