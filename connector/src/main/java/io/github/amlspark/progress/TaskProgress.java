package io.github.amlspark.progress;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.transfer.TransferListener;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * A transfer's progress counters: accumulators registered on the driver, fed by every task. Transfer threads
 * count into atomics; the task thread moves them into the accumulators, which are not thread-safe.
 *
 * @param files files finished (any status)
 * @param bytes bytes written, plus the length of every skipped file
 */
public record TaskProgress(LongAccumulator files, LongAccumulator bytes) implements Serializable {

  /**
   * @param context the driver's context
   * @return new counters, registered with it
   */
  public static TaskProgress register(SparkContext context) {
    return new TaskProgress(context.longAccumulator("amlspark files"), context.longAccumulator("amlspark bytes"));
  }

  /** @return a listener for one task; call {@link Listener#flush()} from the task thread */
  public Listener newListener() {
    return new Listener();
  }

  /** Counts one task's progress. */
  public final class Listener implements TransferListener {
    private final AtomicLong pendingFiles = new AtomicLong();
    private final AtomicLong pendingBytes = new AtomicLong();

    @Override
    public void bytesTransferred(long count) {
      pendingBytes.addAndGet(count);
    }

    @Override
    public void fileDone(FileTransfer result) {
      pendingFiles.incrementAndGet();
      // A skipped file is settled: its bytes count as done, so that the bar ends at 100 %.
      if (result.status() == TransferStatus.SKIPPED) {
        pendingBytes.addAndGet(result.length());
      }
    }

    /** Moves the counts into the accumulators; task thread only. */
    public void flush() {
      files.add(pendingFiles.getAndSet(0));
      bytes.add(pendingBytes.getAndSet(0));
    }
  }
}
