package io.github.amlspark.transfer;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.config.TransferSettings;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * One download task's files, wherever the task runs (a Spark executor or a thread of the driver): the
 * files the driver refused come first, FAILED with its reason, then the engine's outcomes in file order.
 * Spark-free.
 */
public final class PartitionDownload implements AutoCloseable {
  private final Deque<FileTransfer> refused = new ArrayDeque<>();
  private final DownloadEngine engine;
  private final TransferPipeline<FileTransfer> results;
  private boolean finished;

  /**
   * Starts the task's transfers.
   *
   * @param files the task's blobs
   * @param refusedPaths those the driver refused, path to error
   * @param source where bytes come from
   * @param output where files land
   * @param settings overwrite, checksum and concurrency settings
   * @param listener hears about progress, refused files included
   */
  public PartitionDownload(List<BlobEntry> files, Map<String, String> refusedPaths, RangeSource source,
      OutputFolder output, TransferSettings settings, TransferListener listener) {
    for (BlobEntry f : files) {
      String error = refusedPaths.get(f.path());
      if (error != null) {
        FileTransfer result = new FileTransfer(f.path(), output.location(f.path()), f.length(), f.contentMd5(),
            TransferStatus.FAILED, false, error);
        listener.fileDone(result);
        refused.add(result);
      }
    }
    this.engine = new DownloadEngine(source, output, settings, listener);
    this.results = engine.download(files.stream().filter(f -> !refusedPaths.containsKey(f.path())).toList());
  }

  /**
   * @return the next file's outcome, waiting for it; null after the last, once every file reported is
   *     durably in place
   * @throws IOException when the folder's renames cannot be made durable
   */
  public FileTransfer next() throws IOException {
    if (!refused.isEmpty()) {
      return refused.poll();
    }
    if (results.hasNext()) {
      return results.next();
    }
    if (!finished) {
      finished = true;
      engine.finish();
    }
    return null;
  }

  /** Cancels what is still running. */
  @Override
  public void close() {
    results.close();
  }
}
