package io.github.amlspark.progress;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.transfer.TransferListener;
import java.io.Serializable;
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
    private final ProgressCounter pending = new ProgressCounter();

    @Override
    public void bytesTransferred(long count) {
      pending.bytesTransferred(count);
    }

    @Override
    public void fileDone(FileTransfer result) {
      pending.fileDone(result);
    }

    /** Moves the counts into the accumulators; task thread only. */
    public void flush() {
      files.add(pending.takeFiles());
      bytes.add(pending.takeBytes());
    }
  }
}
