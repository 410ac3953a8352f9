package io.github.amlspark.local;

import io.github.amlspark.FileTransfer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs tasks on a fixed number of this JVM's threads, as a local-mode Spark session runs one task per
 * core: results in task order; the first task that throws cancels the others, and its exception is
 * thrown (a local session does not retry a failed task either).
 */
final class LocalTasks {
  private static final AtomicInteger COUNT = new AtomicInteger();

  /** One task's work. */
  interface Body<T> {
    /**
     * @param task the task
     * @return its files' outcomes
     * @throws IOException when the task cannot go on
     */
    List<FileTransfer> run(T task) throws IOException;
  }

  private LocalTasks() {
  }

  /**
   * @param tasks the tasks
   * @param threads how many run at once
   * @param body what each does
   * @param <T> the task type
   * @return every task's outcomes, in task order
   */
  static <T> List<FileTransfer> run(List<T> tasks, int threads, Body<T> body) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, tasks.size())), r -> {
      Thread t = new Thread(r, "amlspark-task-" + COUNT.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    List<Future<List<FileTransfer>>> futures = new ArrayList<>(tasks.size());
    try {
      for (T task : tasks) {
        futures.add(pool.submit(() -> body.run(task)));
      }
      List<FileTransfer> results = new ArrayList<>();
      for (Future<List<FileTransfer>> f : futures) {
        results.addAll(f.get());
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while the transfer ran; its files that finished are in "
          + "place, the others were cancelled.", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      if (cause instanceof IOException io) {
        throw new UncheckedIOException(io.getMessage(), io);
      }
      throw new IllegalStateException(cause);
    } finally {
      // Cancelling interrupts the tasks still running; each closes its transfers on the way out.
      futures.forEach(f -> f.cancel(true));
      pool.shutdownNow();
    }
  }
}
