package io.github.amlspark.local;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.config.UploadSettings;
import io.github.amlspark.planning.PartitionPlanner;
import io.github.amlspark.storage.AzureBlobWriter;
import io.github.amlspark.transfer.FileUploads;
import io.github.amlspark.transfer.SourceFiles;
import io.github.amlspark.transfer.TransferListener;
import io.github.amlspark.transfer.UploadItem;
import java.util.List;

/** Listed files uploaded by tasks that run in this JVM's threads, packed as a Spark upload job packs them. */
public final class LocalUpload {
  private LocalUpload() {
  }

  /**
   * @param access the container, with a SAS that may create, write and read
   * @param items the files: local paths or Hadoop URIs
   * @param mode what to do with a blob that exists
   * @param validate also send each block's MD5
   * @param settings packing, files in flight per task and the retry policy
   * @param files opens the files
   * @param threads tasks run at once (a local session's cores)
   * @param listener hears about every file, from every thread
   * @return every file's outcome
   */
  public static List<FileTransfer> run(ContainerAccess access, List<UploadItem> items, OverwriteMode mode,
      boolean validate, UploadSettings settings, SourceFiles files, int threads, TransferListener listener) {
    return LocalTasks.run(PartitionPlanner.packUploads(items, settings, threads), threads, group -> new FileUploads(
        new AzureBlobWriter(access, settings.retry().idleTimeout()), mode, validate, settings.concurrency(),
        settings.retry(), listener).uploadAll(group, files, () -> { }));
  }
}
