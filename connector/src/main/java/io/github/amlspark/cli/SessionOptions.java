package io.github.amlspark.cli;

import io.github.amlspark.AzureMLFiles;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** The flags every subcommand shares: which workspace, and which Spark. */
final class SessionOptions {
  @Option(names = "--workspace-config", paramLabel = "FILE",
      description = "An Azure ML config.json (default: discovery, see docs/configuration.md).")
  String workspaceConfig;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master (default: spark-submit's, else local[*]).")
  String master;

  /** @return the Spark session: spark-submit's, or a local one */
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

  /** @return the Java API on that session and workspace */
  AzureMLFiles files(SparkSession spark) {
    AzureMLFiles.Builder builder = AzureMLFiles.builder().spark(spark);
    if (workspaceConfig != null) {
      builder.workspaceConfig(workspaceConfig);
    }
    return builder.build();
  }
}
