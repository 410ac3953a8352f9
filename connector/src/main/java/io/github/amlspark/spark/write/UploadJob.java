package io.github.amlspark.spark.write;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.config.UploadSettings;
import io.github.amlspark.planning.PartitionPlanner;
import io.github.amlspark.progress.TaskProgress;
import io.github.amlspark.spark.HadoopConf;
import io.github.amlspark.storage.AzureBlobWriter;
import io.github.amlspark.transfer.FileUploads;
import io.github.amlspark.transfer.RetryPolicy;
import io.github.amlspark.transfer.SourceFiles;
import io.github.amlspark.transfer.UploadItem;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;

/**
 * Uploads listed files on the executors: files packed into tasks by size, as reads are, several files in
 * flight per task, each task returning its files' outcomes to the driver.
 */
public final class UploadJob {
  private final SparkSession spark;
  private final TaskProgress progress;

  /** @param spark the session the upload runs on */
  public UploadJob(SparkSession spark) {
    this.spark = spark;
    this.progress = TaskProgress.register(spark.sparkContext());
  }

  /** @return this job's progress counters, for a progress display */
  public TaskProgress progress() {
    return progress;
  }

  /**
   * @param access the container, with a SAS that may create, write and read
   * @param items the files: local paths or Hadoop URIs
   * @param mode what to do with a blob that exists
   * @param validate also send each block's MD5
   * @param settings packing, files in flight per task and the retry policy
   * @return every file's outcome
   */
  public List<FileTransfer> run(ContainerAccess access, List<UploadItem> items, OverwriteMode mode,
      boolean validate, UploadSettings settings) {
    List<List<UploadItem>> groups = PartitionPlanner.packUploads(items, settings,
        spark.sparkContext().defaultParallelism());
    return JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(groups, Math.max(1, groups.size()))
        .flatMap(new UploadTask(access, mode, validate, settings.concurrency(), settings.retry(),
            new SourceFiles(HadoopConf.broadcast(spark)), progress))
        .collect();
  }

  /** One task: its files, several at a time. Holds primitives and the container's SAS only. */
  static final class UploadTask implements FlatMapFunction<List<UploadItem>, FileTransfer> {
    private static final long serialVersionUID = 1L;

    private final ContainerAccess access;
    private final OverwriteMode mode;
    private final boolean validate;
    private final int concurrency;
    private final RetryPolicy retry;
    private final SourceFiles sourceFiles;
    private final TaskProgress progress;

    UploadTask(ContainerAccess access, OverwriteMode mode, boolean validate, int concurrency, RetryPolicy retry,
        SourceFiles sourceFiles, TaskProgress progress) {
      this.access = access;
      this.mode = mode;
      this.validate = validate;
      this.concurrency = concurrency;
      this.retry = retry;
      this.sourceFiles = sourceFiles;
      this.progress = progress;
    }

    @Override
    public Iterator<FileTransfer> call(List<UploadItem> group) throws IOException {
      TaskProgress.Listener listener = progress.newListener();
      try {
        return new FileUploads(new AzureBlobWriter(access, retry.idleTimeout()), mode, validate, concurrency, retry,
            listener).uploadAll(group, sourceFiles, listener::flush).iterator();
      } finally {
        listener.flush();
      }
    }
  }
}
