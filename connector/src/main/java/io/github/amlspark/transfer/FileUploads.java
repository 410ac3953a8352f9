package io.github.amlspark.transfer;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * One task's uploads, wherever the task runs: up to {@code concurrency} files in flight, results in
 * submission order. Spark-free.
 */
public final class FileUploads {
  private final UploadEngine engine;
  private final Semaphore files;
  private final TransferListener listener;
  private final List<Future<FileTransfer>> pending = new ArrayList<>();

  /**
   * @param writer the container's blobs
   * @param mode what to do with a blob that exists
   * @param validate also send each block's MD5
   * @param concurrency files (and blocks) in flight
   * @param retry the retry policy of every request
   * @param listener hears about progress
   */
  public FileUploads(BlobWriter writer, OverwriteMode mode, boolean validate, int concurrency, RetryPolicy retry,
      TransferListener listener) {
    this.engine = new UploadEngine(writer, mode, validate, concurrency, retry, listener);
    this.files = new Semaphore(concurrency);
    this.listener = listener;
  }

  /**
   * Uploads a task's listed files: each started as soon as fewer than {@code concurrency} are in flight.
   *
   * @param items the files
   * @param files opens them
   * @param afterEach run on the calling thread after each file is started (a Spark task moves its progress
   *     counts into accumulators there)
   * @return every file's outcome, once all finished
   * @throws IOException when interrupted, or a file's upload threw
   */
  public List<FileTransfer> uploadAll(List<UploadItem> items, SourceFiles files, Runnable afterEach)
      throws IOException {
    try {
      for (UploadItem item : items) {
        submit(item, files.source(item.source()));
        afterEach.run();
      }
      return results();
    } finally {
      cancel();
    }
  }

  /**
   * Starts one upload, waiting while {@code concurrency} are in flight.
   *
   * @param item the file
   * @param source its bytes
   * @throws IOException when interrupted while waiting
   */
  public void submit(UploadItem item, UploadSource source) throws IOException {
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

  /**
   * Records a file that failed before its upload could start.
   *
   * @param result its outcome
   */
  public void fail(FileTransfer result) {
    listener.fileDone(result);
    pending.add(CompletableFuture.completedFuture(result));
  }

  /**
   * @return every file's outcome, once all finished
   * @throws IOException when interrupted, or a file's upload threw
   */
  public List<FileTransfer> results() throws IOException {
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
  public void cancel() {
    pending.forEach(f -> f.cancel(true));
  }
}
