package io.github.amlspark.spark.write;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.storage.BlobUploader;
import io.github.amlspark.transfer.TransferPool;
import io.github.amlspark.transfer.UploadItem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/** One task's uploads: up to {@code concurrency} files in flight, results in submission order. */
final class FileUploads {
  private final BlobUploader uploader;
  private final Semaphore files;
  private final List<Future<FileTransfer>> pending = new ArrayList<>();

  FileUploads(ContainerAccess access, OverwriteMode mode, boolean validate, int concurrency) {
    this.uploader = new BlobUploader(access, mode, validate, concurrency);
    this.files = new Semaphore(concurrency);
  }

  /** Starts one upload, waiting while {@code concurrency} are in flight. */
  void submit(UploadItem item, BlobUploader.Source source) throws IOException {
    try {
      files.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    pending.add(TransferPool.get().submit(() -> {
      try {
        return uploader.upload(item, source);
      } finally {
        files.release();
      }
    }));
  }

  /** @return every file's outcome, once all finished */
  List<FileTransfer> results() throws IOException {
    List<FileTransfer> results = new ArrayList<>(pending.size());
    try {
      for (Future<FileTransfer> f : pending) {
        results.add(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    }
    return results;
  }

  /** Cancels what has not finished; its staged blocks never become blobs. */
  void cancel() {
    pending.forEach(f -> f.cancel(true));
  }
}
