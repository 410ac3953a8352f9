package io.github.amlspark.progress;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.transfer.TransferListener;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts a transfer's progress from any number of transfer threads. A skipped file is settled: its bytes
 * count as done, so that a bar ends at 100 %.
 */
public final class ProgressCounter implements TransferListener, ProgressSource {
  private final AtomicLong files = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  @Override
  public void bytesTransferred(long count) {
    bytes.addAndGet(count);
  }

  @Override
  public void fileDone(FileTransfer result) {
    files.incrementAndGet();
    if (result.status() == TransferStatus.SKIPPED) {
      bytes.addAndGet(result.length());
    }
  }

  @Override
  public long files() {
    return files.get();
  }

  @Override
  public long bytes() {
    return bytes.get();
  }

  /** @return the files counted since the last call, and resets them */
  long takeFiles() {
    return files.getAndSet(0);
  }

  /** @return the bytes counted since the last call, and resets them */
  long takeBytes() {
    return bytes.getAndSet(0);
  }
}
