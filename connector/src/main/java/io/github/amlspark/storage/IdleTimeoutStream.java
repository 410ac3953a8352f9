package io.github.amlspark.storage;

import io.github.amlspark.transfer.TransientFailure;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A response body that gives up when no byte has arrived for the idle timeout: a watchdog closes the
 * stream, which wakes the blocked read, or, for a body read from a socket with that read timeout, the
 * socket's own {@link SocketTimeoutException}; either way the read fails as a {@link TransientFailure}, so
 * the request is retried instead of hanging its task. Any other failure while the body streams (a reset
 * connection) is transient too.
 */
final class IdleTimeoutStream extends FilterInputStream {
  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "amlspark-idle-watchdog");
    t.setDaemon(true);
    return t;
  });

  private final long idleNanos;
  private final String what;
  private final ScheduledFuture<?> check; // null when the socket times out itself
  private volatile long lastProgress = System.nanoTime();
  private volatile boolean timedOut;

  /**
   * @param in the body
   * @param idle how long it may stay silent
   * @param what the blob's path, for messages
   */
  IdleTimeoutStream(InputStream in, Duration idle, String what) {
    this(in, idle, what, true);
  }

  /**
   * @param in the body
   * @param idle how long it may stay silent
   * @param what the blob's path, for messages
   * @param watch whether to watch it: false when {@code in} is a socket's with {@code idle} as its timeout
   */
  IdleTimeoutStream(InputStream in, Duration idle, String what, boolean watch) {
    super(in);
    this.idleNanos = idle.toNanos();
    this.what = what;
    long period = Math.max(10, Math.min(1000, idle.toMillis() / 4));
    this.check = watch ? WATCHDOG.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS) : null;
  }

  private void check() {
    if (System.nanoTime() - lastProgress > idleNanos) {
      timedOut = true;
      check.cancel(false);
      try {
        in.close();
      } catch (IOException ignored) {
        // The reader fails with the timeout either way.
      }
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      int n = in.read(b, off, len);
      lastProgress = System.nanoTime();
      return n;
    } catch (IOException e) {
      if (timedOut || e instanceof SocketTimeoutException) {
        throw new TransientFailure("no bytes of " + what + " arrived for "
            + Duration.ofNanos(idleNanos).toMillis() / 1000.0 + " s (idleTimeout): the body stalled", null, e);
      }
      throw new TransientFailure("the connection broke while receiving " + what + ": "
          + e.getClass().getSimpleName() + ": " + e.getMessage(), null, e);
    }
  }

  @Override
  public void close() throws IOException {
    if (check != null) {
      check.cancel(false);
    }
    in.close();
  }
}
