package io.github.amlspark.cli;

import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A subcommand that runs one transfer of the Java API and prints its summary; a failed file makes the
 * Java API throw, which {@link AmlSparkCli} turns into a one-line reason and a non-zero exit code.
 */
abstract class TransferCommand implements Callable<Integer> {
  @Mixin
  CommonOptions common;

  @Spec
  CommandSpec spec;

  /**
   * @param files the Java API
   * @param options the flags, as transfer options
   * @return the report
   */
  abstract TransferReport run(AzureMLFiles files, TransferOptions options);

  @Override
  public Integer call() {
    SparkSession spark = common.session.sessionIfNeeded();
    try {
      TransferReport report = run(common.session.files(spark), common.transferOptions());
      spec.commandLine().getOut().println(AmlSparkCli.summary(report));
      spec.commandLine().getOut().flush();
      return 0;
    } finally {
      if (spark != null) {
        spark.stop();
      }
    }
  }
}
