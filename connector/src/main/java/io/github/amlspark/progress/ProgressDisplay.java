package io.github.amlspark.progress;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on the driver's terminal (bytes done of total, throughput, ETA, files done of total),
 * fed by the read's accumulators as tasks report back. A skipped file counts as done, bytes and all.
 */
public final class ProgressDisplay implements AutoCloseable {
  private static final long MIB = 1024L * 1024;

  private final ProgressBar bar;
  private final TaskProgress progress;
  private final long totalFiles;
  private final ScheduledExecutorService ticker;

  /**
   * @param task what is being done, e.g. "Downloading"
   * @param progress the read's counters
   * @param totalFiles files to transfer
   * @param totalBytes bytes to transfer
   */
  public ProgressDisplay(String task, TaskProgress progress, long totalFiles, long totalBytes) {
    this.progress = progress;
    this.totalFiles = totalFiles;
    // Through System.err as it is now, so that a redirected stderr (notebooks, embedding apps) gets it.
    this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalBytes)
        .setUnit(" MiB", MIB).showSpeed().setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
        .setConsumer(new ConsoleProgressBarConsumer(System.err))
        .build();
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "amlspark-progress");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(this::refresh, 0, 250, TimeUnit.MILLISECONDS);
  }

  private void refresh() {
    bar.stepTo(progress.bytes().value());
    bar.setExtraMessage(" " + progress.files().value() + "/" + totalFiles + " files");
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    refresh();
    bar.close();
  }
}
