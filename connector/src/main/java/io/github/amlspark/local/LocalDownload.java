package io.github.amlspark.local;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.config.ReadRequest;
import io.github.amlspark.config.TransferSettings;
import io.github.amlspark.planning.DownloadTasks;
import io.github.amlspark.planning.ReadPlan;
import io.github.amlspark.storage.AzureRangeSource;
import io.github.amlspark.transfer.OutputFolder;
import io.github.amlspark.transfer.PartitionDownload;
import io.github.amlspark.transfer.TransferListener;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/** A planned download, its tasks run in this JVM's threads. */
public final class LocalDownload {
  private LocalDownload() {
  }

  /**
   * @param request the download
   * @param plan its listing
   * @param hadoopConf the Hadoop configuration for a Hadoop output folder; null for a local one
   * @param threads tasks run at once (a local session's cores)
   * @param listener hears about every file, from every thread
   * @return every file's outcome
   */
  public static List<FileTransfer> run(ReadRequest request, ReadPlan plan, Configuration hadoopConf, int threads,
      TransferListener listener) {
    TransferSettings settings = request.transfer();
    List<DownloadTasks.Task> tasks = DownloadTasks.plan(request, plan, hadoopConf, threads);
    return LocalTasks.run(tasks, threads, task -> {
      try (PartitionDownload download = new PartitionDownload(task.files(), task.refused(),
          new AzureRangeSource(plan.access(), settings.retry().idleTimeout(), settings.concurrency()),
          OutputFolder.open(settings.outputFolder(), hadoopConf), settings, listener)) {
        List<FileTransfer> results = new ArrayList<>(task.files().size());
        for (FileTransfer r = download.next(); r != null; r = download.next()) {
          results.add(r);
        }
        return results;
      }
    });
  }
}
