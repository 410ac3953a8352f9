package io.github.amlspark.spark.write;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.storage.AzureBlobWriter;
import io.github.amlspark.transfer.RetryPolicy;
import io.github.amlspark.transfer.TransferListener;
import io.github.amlspark.transfer.TransferPool;
import io.github.amlspark.transfer.UploadEngine;
import io.github.amlspark.transfer.UploadItem;
import io.github.amlspark.transfer.UploadSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/** One task's uploads: up to {@code concurrency} files in flight, results in submission order. */
final class FileUploads {
  private final UploadEngine engine;
  private final Semaphore files;
  private final TransferListener listener;
  private final List<Future<FileTransfer>> pending = new ArrayList<>();

  FileUploads(ContainerAccess access, OverwriteMode mode, boolean validate, int concurrency, RetryPolicy retry,
      TransferListener listener) {
    this.engine = new UploadEngine(new AzureBlobWriter(access, retry.idleTimeout()), mode, validate, concurrency,
        retry, listener);
    this.files = new Semaphore(concurrency);
    this.listener = listener;
  }

  /** Starts one upload, waiting while {@code concurrency} are in flight. */
  void submit(UploadItem item, UploadSource source) throws IOException {
    try {
      files.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    pending.add(TransferPool.get().submit(() -> {
      try {
        FileTransfer result = engine.upload(item, source);
        if (result.status() == TransferStatus.TRANSFERRED) {
          listener.bytesTransferred(result.length());
        }
        listener.fileDone(result);
        return result;
      } finally {
        files.release();
      }
    }));
  }

  /** Records a file that failed before its upload could start. */
  void fail(FileTransfer result) {
    listener.fileDone(result);
    pending.add(CompletableFuture.completedFuture(result));
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

  /** Waits until every upload submitted so far has finished; their outcomes stay for {@link #results()}. */
  void awaitAll() {
    for (Future<FileTransfer> f : pending) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | java.util.concurrent.CancellationException e) {
        // results() reports it
      }
    }
  }

  /** Cancels what has not finished; its staged blocks never become blobs. */
  void cancel() {
    pending.forEach(f -> f.cancel(true));
  }
}
