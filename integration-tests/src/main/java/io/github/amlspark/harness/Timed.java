package io.github.amlspark.harness;

import io.github.amlspark.cli.AmlSparkCli;
import java.util.Locale;

/**
 * The amlspark command line exactly as {@code bin/amlspark} runs it ({@link AmlSparkCli#main}), timed
 * from the first line of this {@code main} until the JVM begins to exit: {@link ColdBenchmark}'s
 * in-process time of a cold run. The time is printed to stderr by a shutdown hook, since the command line
 * ends with {@code System.exit}.
 */
public final class Timed {
  /** The line's prefix, which {@link ColdBenchmark} looks for. */
  static final String PREFIX = "amlspark.inprocess.seconds=";

  private Timed() {
  }

  /**
   * @param args the command line's arguments
   */
  public static void main(String[] args) {
    long start = System.nanoTime();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.printf(Locale.ROOT, "%s%.3f%n", PREFIX,
        (System.nanoTime() - start) / 1e9), "amlspark-timed"));
    AmlSparkCli.main(args);
  }
}
