package io.github.amlspark.transfer;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Runs a task's per-blob work with several requests in flight and hands the results back in blob order.
 * Small blobs run ahead on the transfer pool, each holding one of the task's permits while it works; a
 * large blob runs on the caller's thread, where its own window of ranges takes the permits.
 *
 * @param <R> the result of one blob's work
 */
public final class TransferPipeline<R> implements Iterator<R>, AutoCloseable {
  private final List<BlobEntry> blobs;
  private final Function<BlobEntry, R> work;
  private final Predicate<BlobEntry> runsAhead;
  private final Semaphore permits;
  private final int maxLookahead;
  private final Deque<Future<R>> queue = new ArrayDeque<>();
  private int index;

  /**
   * @param work never throws for a blob's failure: it returns it as a result
   * @param runsAhead which blobs run on the pool
   * @param maxLookahead results that may wait, finished, for the consumer (bounds their memory)
   */
  TransferPipeline(List<BlobEntry> blobs, Function<BlobEntry, R> work, Predicate<BlobEntry> runsAhead,
      Semaphore permits, int maxLookahead) {
    this.blobs = blobs;
    this.work = work;
    this.runsAhead = runsAhead;
    this.permits = permits;
    this.maxLookahead = maxLookahead;
  }

  @Override
  public boolean hasNext() {
    return index < blobs.size() || !queue.isEmpty();
  }

  @Override
  public R next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    try {
      fill();
      return queue.poll().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("The transfer was interrupted", e);
    } catch (ExecutionException e) {
      // The work's own exception, as if it had run on this thread.
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("A transfer thread failed unexpectedly", e.getCause());
    }
  }

  private void fill() throws InterruptedException {
    while (index < blobs.size() && queue.size() < maxLookahead) {
      BlobEntry blob = blobs.get(index);
      if (runsAhead.test(blob)) {
        // Wait for a permit only with nothing to hand back: otherwise the caller would sit here until all
        // but the last few blobs were done, returning no result (and reporting no progress) meanwhile.
        if (queue.isEmpty()) {
          permits.acquire();
        } else if (!permits.tryAcquire()) {
          return;
        }
        index++;
        queue.add(TransferPool.get().submit(() -> {
          try {
            return work.apply(blob);
          } finally {
            permits.release();
          }
        }));
      } else if (queue.isEmpty()) {
        index++;
        queue.add(CompletableFuture.completedFuture(work.apply(blob)));
      } else {
        return;
      }
    }
  }

  /** Cancels work not yet handed back; its temporary files are deleted by the work itself. */
  @Override
  public void close() {
    queue.forEach(f -> f.cancel(true));
    queue.clear();
    index = blobs.size();
  }
}
