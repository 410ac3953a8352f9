package io.github.amlspark.transfer;

import java.io.IOException;
import java.time.Duration;

/**
 * A try of a request that failed in a way another try may not: throttling (408, 429, 503), a server error
 * (5xx), a broken or refused connection, a response or body that stalled past the idle timeout, a body cut
 * short. {@link RetryPolicy} retries these; when it gives up, the failure says how often it tried.
 */
public final class TransientFailure extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Duration retryAfter;

  /**
   * @param message what failed, without any URL or secret
   * @param retryAfter the wait the service asked for, or null
   * @param cause the underlying failure, or null
   */
  public TransientFailure(String message, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.retryAfter = retryAfter;
  }

  /** @return the wait the service asked for (Retry-After), or null */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** @return this failure as final: it says how many tries over how long were made */
  IOException exhausted(int tries, long elapsedMillis) {
    return new IOException(getMessage() + " (gave up after " + tries + (tries == 1 ? " try" : " tries")
        + " over " + String.format(java.util.Locale.ROOT, "%.1f", elapsedMillis / 1000.0) + " s)", this);
  }
}
