package io.github.amlspark.spark.write;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.config.ReadConf;
import io.github.amlspark.planning.PartitionPlanner;
import io.github.amlspark.transfer.UploadItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private UploadJob() {
  }

  /**
   * @param spark the session
   * @param access the container, with a SAS that may create, write and read
   * @param items the files
   * @param mode what to do with a blob that exists
   * @param validate also send each block's MD5
   * @return every file's outcome
   */
  public static List<FileTransfer> run(SparkSession spark, ContainerAccess access, List<UploadItem> items,
      OverwriteMode mode, boolean validate) {
    List<List<UploadItem>> groups = PartitionPlanner.pack(items, UploadItem::length,
        ReadConf.DEFAULT_MAX_PARTITION_BYTES, ReadConf.DEFAULT_OPEN_COST_IN_BYTES,
        spark.sparkContext().defaultParallelism());
    return JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(groups, Math.max(1, groups.size()))
        .flatMap(new UploadTask(access, mode, validate, ReadConf.DEFAULT_CONCURRENCY))
        .collect();
  }

  /** One task: its files, several at a time. Holds primitives and the container's SAS only. */
  static final class UploadTask implements FlatMapFunction<List<UploadItem>, FileTransfer> {
    private static final long serialVersionUID = 1L;

    private final ContainerAccess access;
    private final OverwriteMode mode;
    private final boolean validate;
    private final int concurrency;

    UploadTask(ContainerAccess access, OverwriteMode mode, boolean validate, int concurrency) {
      this.access = access;
      this.mode = mode;
      this.validate = validate;
      this.concurrency = concurrency;
    }

    @Override
    public Iterator<FileTransfer> call(List<UploadItem> group) throws IOException {
      FileUploads uploads = new FileUploads(access, mode, validate, concurrency);
      try {
        for (UploadItem item : group) {
          uploads.submit(item, () -> Files.newInputStream(Path.of(item.source())));
        }
        return uploads.results().iterator();
      } finally {
        uploads.cancel();
      }
    }
  }
}
