package io.github.amlspark.transfer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one retry policy of every data-path request, downloads and uploads alike: exponential back-off with
 * jitter, the service's {@code Retry-After} honoured, at most {@code maxTries} tries and never a retry that
 * would start after {@code budget} has passed since the first try. Only {@link TransientFailure}s are
 * retried (throttling, server errors, broken connections, stalled bodies); a refusal is final. Every
 * data-path request is safe to repeat: ranged GETs read, blocks are staged under ids unique to their
 * upload, and a conditional create that is repeated tells its own blob from another's by the MD5.
 *
 * <p>The defaults follow the Azure SDK's storage defaults in spirit (exponential, capped delays) but allow a
 * longer throttling burst: up to 10 tries within 2 minutes, delays from about 0.8 s doubling up to 30 s.
 *
 * @param maxTries tries in all, at least 1
 * @param baseDelayMillis the nominal delay after the first failed try
 * @param maxDelayMillis the largest delay between two tries
 * @param budgetMillis no try starts later than this after the first
 * @param idleTimeoutMillis how long a request may wait for its response, or a body for its next bytes
 */
public record RetryPolicy(int maxTries, long baseDelayMillis, long maxDelayMillis, long budgetMillis,
    long idleTimeoutMillis) implements Serializable {

  /** The defaults: 10 tries, 0.8 s doubling to 30 s, within 2 minutes; 60 s idle timeout. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(10, 800, 30_000, 120_000, 60_000);

  /**
   * @param budget the retry budget (option {@code retryTimeout})
   * @param idleTimeout the idle timeout (option {@code idleTimeout})
   * @return the default policy with that budget and idle timeout
   */
  public static RetryPolicy of(Duration budget, Duration idleTimeout) {
    return new RetryPolicy(DEFAULT.maxTries, DEFAULT.baseDelayMillis, DEFAULT.maxDelayMillis,
        budget.toMillis(), idleTimeout.toMillis());
  }

  /** @return the retry budget */
  public Duration budget() {
    return Duration.ofMillis(budgetMillis);
  }

  /** @return the idle timeout */
  public Duration idleTimeout() {
    return Duration.ofMillis(idleTimeoutMillis);
  }

  /**
   * Runs a request under this policy.
   *
   * @param listener hears of each retry
   * @param request one try; told the number of the try (1 for the first)
   * @return what the successful try returned
   * @throws IOException the last failure when tries or budget run out, with how many tries were made; a
   *     refusal or any other failure at once
   */
  public <T> T run(TransferListener listener, Request<T> request) throws IOException {
    long start = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      try {
        return request.attempt(attempt);
      } catch (TransientFailure e) {
        long waitMillis = delayMillis(attempt, e.retryAfter());
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        if (attempt >= maxTries || elapsedMillis + waitMillis > budgetMillis
            || Thread.currentThread().isInterrupted()) {
          throw e.exhausted(attempt, elapsedMillis);
        }
        listener.retried();
        sleep(waitMillis);
      }
    }
  }

  /** @return the wait before try {@code failed + 1}: the service's Retry-After, else jittered back-off */
  long delayMillis(int failed, Duration retryAfter) {
    if (retryAfter != null) {
      return retryAfter.toMillis();
    }
    long nominal = Math.min(maxDelayMillis, baseDelayMillis << Math.min(failed - 1, 20));
    // Jitter between half and all of the nominal delay, so that the tasks a burst of throttling hit
    // together do not all come back together.
    return nominal / 2 + ThreadLocalRandom.current().nextLong(nominal / 2 + 1);
  }

  private static void sleep(long millis) throws InterruptedIOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException io = new InterruptedIOException("interrupted while waiting to retry");
      io.initCause(e);
      throw io;
    }
  }

  /**
   * One try of a request.
   *
   * @param <T> its result
   */
  @FunctionalInterface
  public interface Request<T> {
    /**
     * @param attempt 1 for the first try, 2 for the first retry, ...
     * @return the result
     * @throws TransientFailure when another try may succeed
     * @throws IOException when it cannot
     */
    T attempt(int attempt) throws IOException;
  }
}
