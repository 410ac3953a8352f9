package io.github.amlspark.progress;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.spark.SparkContext;

/**
 * Progress on the driver's stderr, fed while the tasks run (by executors' heartbeats for a Spark job, by
 * the transfer threads in this JVM otherwise): on a terminal, a live bar (bytes done of total, throughput,
 * ETA, files done of total); otherwise (a log file, a notebook, CI) a plain line every few seconds and a last
 * one at the end. A skipped file counts as done, bytes and all.
 *
 * <p>{@code -Damlspark.progress=terminal|plain} overrides the terminal detection, and
 * {@code -Damlspark.progress.intervalMillis} the plain lines' interval (default 5000).
 */
public final class ProgressDisplay implements AutoCloseable {
  private static final long MIB = 1024L * 1024;

  private final ProgressSource live;
  private final Runnable detach;
  private final String task;
  private final long totalFiles;
  private final long totalBytes;
  private final ProgressBar bar;
  private final PrintStream plain;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService ticker;

  /**
   * Progress of a Spark job's tasks.
   *
   * @param context the driver's Spark context, whose listener bus carries the executors' heartbeats
   * @param task what is being done, e.g. "Downloading"
   * @param progress the transfer's counters
   * @param totalFiles files to transfer
   * @param totalBytes bytes to transfer
   * @return the display, shown until closed
   */
  public static ProgressDisplay of(SparkContext context, String task, TaskProgress progress, long totalFiles,
      long totalBytes) {
    LiveProgress live = new LiveProgress(progress);
    context.addSparkListener(live);
    return new ProgressDisplay(task, live, () -> context.removeSparkListener(live), totalFiles, totalBytes);
  }

  /**
   * Progress of tasks that run in this JVM's threads.
   *
   * @param task what is being done, e.g. "Downloading"
   * @param counter the transfer's counters, fed by its threads
   * @param totalFiles files to transfer
   * @param totalBytes bytes to transfer
   * @return the display, shown until closed
   */
  public static ProgressDisplay of(String task, ProgressCounter counter, long totalFiles, long totalBytes) {
    return new ProgressDisplay(task, counter, () -> { }, totalFiles, totalBytes);
  }

  private ProgressDisplay(String task, ProgressSource live, Runnable detach, long totalFiles, long totalBytes) {
    this.live = live;
    this.detach = detach;
    this.task = task;
    this.totalFiles = totalFiles;
    this.totalBytes = totalBytes;
    boolean terminal = switch (System.getProperty("amlspark.progress", "auto")) {
      case "terminal" -> true;
      case "plain" -> false;
      default -> System.console() != null;
    };
    // Through System.err as it is now, so that a redirected stderr (notebooks, embedding apps) gets it.
    this.bar = terminal ? new ProgressBarBuilder().setTaskName(task).setInitialMax(totalBytes)
        .setUnit(" MiB", MIB).showSpeed().setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
        .setConsumer(new ConsoleProgressBarConsumer(System.err)).build() : null;
    this.plain = terminal ? null : System.err;
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "amlspark-progress");
      t.setDaemon(true);
      return t;
    });
    long interval = terminal ? 250 : Long.getLong("amlspark.progress.intervalMillis", 5000);
    ticker.scheduleAtFixedRate(this::refresh, interval, interval, TimeUnit.MILLISECONDS);
  }

  private void refresh() {
    long files = Math.min(live.files(), totalFiles);
    long bytes = Math.min(live.bytes(), totalBytes);
    if (bar != null) {
      bar.stepTo(bytes);
      bar.setExtraMessage(" " + files + "/" + totalFiles + " files");
      return;
    }
    double seconds = Math.max((System.nanoTime() - startNanos) / 1e9, 1e-3);
    double rate = bytes / seconds;
    String eta = rate <= 0 || bytes >= totalBytes ? "" : String.format(Locale.ROOT, ", ETA %ds",
        Math.round((totalBytes - bytes) / rate));
    plain.printf(Locale.ROOT, "%s: %d%% (%.1f of %.1f MiB), %d/%d files, %.1f MiB/s%s%n", task,
        totalBytes == 0 ? 100 : bytes * 100 / totalBytes, bytes / (double) MIB, totalBytes / (double) MIB,
        files, totalFiles, rate / MIB, eta);
    plain.flush();
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    detach.run();
    refresh();
    if (bar != null) {
      bar.close();
    }
  }
}
