package io.github.amlspark.cli;

import io.github.amlspark.TransferException;
import io.github.amlspark.TransferReport;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code amlspark} command line: hi-ml's four operations plus {@code download} (of an Azure ML address)
 * and {@code ls}, over the Java API, run
 * locally ({@code bin/amlspark}) or as the main class under {@code spark-submit}. Exit code 0 when nothing
 * failed; 1 with a one-line reason on stderr when the operation failed; 2 for a usage error.
 */
@Command(name = "amlspark", mixinStandardHelpOptions = true, version = "amlspark 0.1.0",
    description = "Move files between Azure Machine Learning and wherever Spark runs.",
    footer = {"", "From a clone of the repository, 'bin/amlspark demo' runs the main job on the embedded default "
        + "(the Azurite emulator and local Spark, no Azure account)."},
    subcommands = {Subcommands.DownloadRun.class, Subcommands.DownloadCheckpoints.class,
        Subcommands.DownloadDatastore.class, Subcommands.Download.class, Subcommands.Upload.class, Subcommands.Ls.class})
public final class AmlSparkCli implements Runnable {
  /** Exit code of an operation that failed (a usage error is picocli's 2). */
  static final int FAILED = 1;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** Idle connections per host the command line's JVM keeps for reuse: at least every GET it has in flight. */
  static final int IDLE_CONNECTIONS = 256;

  /**
   * @param args the command line
   */
  public static void main(String[] args) {
    // Spark's INFO chatter would bury the summary; warnings and errors still show.
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "amlspark-cli-log4j2.properties");
    }
    // This JVM is the command's own: let the JDK's blocking HTTP client keep a connection per GET in flight
    // for reuse (5 per host unless set), so that small GETs can take that cheaper client (docs/cli.md).
    if (System.getProperty("http.maxConnections") == null) {
      System.setProperty("http.maxConnections", String.valueOf(IDLE_CONNECTIONS));
    }
    System.exit(execute(args));
  }

  /**
   * @param args the command line
   * @return the exit code
   */
  public static int execute(String... args) {
    return new CommandLine(new AmlSparkCli())
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          if (e instanceof TransferException t) {
            cmd.getOut().println(summary(t.report()));
            cmd.getOut().flush();
          }
          cmd.getErr().println("amlspark: " + oneLine(e));
          cmd.getErr().flush();
          return FAILED;
        })
        .execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** @return the report's final summary: counts, bytes and throughput */
  static String summary(TransferReport report) {
    double seconds = Math.max(report.elapsed().toNanos() / 1e9, 1e-9);
    return String.format(Locale.ROOT, "transferred=%d skipped=%d failed=%d bytes=%d elapsed=%.2fs "
        + "throughput=%.1f MB/s", report.transferred(), report.skipped(), report.failed(), report.bytes(),
        seconds, report.bytes() / seconds / 1e6);
  }

  private static String oneLine(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replaceAll("\\s*\\R\\s*", " ");
  }
}
