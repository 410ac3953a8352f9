package io.github.amlspark.transfer;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JVM's threads for blocking storage requests, shared by every task of an executor. Unbounded: each
 * task bounds its own requests in flight with a semaphore, so the pool never queues work behind another
 * task's.
 */
public final class TransferPool {
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "amlspark-transfer-" + COUNT.incrementAndGet());
    t.setDaemon(true);
    return t;
  });

  private TransferPool() {
  }

  /** @return the shared pool */
  public static ExecutorService get() {
    return POOL;
  }
}
