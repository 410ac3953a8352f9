package io.github.amlspark.transfer;

import io.github.amlspark.config.TransferSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Copies one blob's bytes, in order, to an output stream: one GET for a small blob, a sliding window of
 * ranged GETs for a large one. Every range is checked against its MD5 when checksums are validated, and
 * the whole content against the blob's Content-MD5 when it has one (unless {@code checkMd5} is off). The
 * whole-file MD5 is computed as the bytes arrive, never in a second pass over a finished file.
 */
final class BlobCopier {
  /** How much of a streamed blob the in-order hasher reads back from the file at a time. */
  private static final int HASH_PIECE = 1024 * 1024;

  private final RangeSource source;
  private final RangeFetcher fetcher;
  private final TransferSettings settings;
  private final TransferListener listener;
  private final Semaphore permits;

  /**
   * @param permits the task's requests in flight: a large blob's window takes one per range
   */
  BlobCopier(RangeSource source, TransferSettings settings, TransferListener listener, Semaphore permits) {
    this.source = source;
    this.fetcher = new RangeFetcher(source, settings.validateChecksum(), settings.retry(), listener);
    this.settings = settings;
    this.listener = listener;
    this.permits = permits;
  }

  /** @return whether the blob is fetched with a single GET */
  boolean isSmall(BlobEntry blob) {
    return blob.length() <= TransferSettings.MD5_RANGE_BYTES;
  }

  /**
   * @param out where the bytes go, in order
   * @param positional the same file for writes at any position and reads back, or null
   * @param landed told each time a further range of a streamed large blob is in the file, in order (the
   *     file may start forcing what it holds)
   * @return the MD5 of the bytes written when it was computed ({@link TransferSettings#hashes}): every
   *     range matched its range MD5 when validating, and the whole matched the blob's Content-MD5 when it
   *     has one; null when nothing was checked
   * @throws ChecksumMismatch when the bytes did not match their MD5
   * @throws IOException when a request or the write fails
   */
  byte[] copy(BlobEntry blob, OutputStream out, FileChannel positional, Runnable landed) throws IOException {
    boolean hash = settings.hashes(blob);
    byte[] md5;
    if (isSmall(blob)) {
      RangeFetcher.Chunk chunk = blob.length() == 0 ? RangeFetcher.Chunk.EMPTY
          : fetcher.fetch(blob, 0, (int) blob.length());
      out.write(chunk.data(), 0, chunk.data().length);
      listener.bytesTransferred(blob.length());
      md5 = !hash ? null : chunk.md5() != null ? chunk.md5() : Md5.of(chunk.data(), chunk.data().length);
    } else if (positional != null && !settings.validateChecksum()) {
      md5 = copyStreams(blob, positional, hash, landed);
    } else {
      md5 = copyRanges(blob, out, hash);
    }
    if (md5 != null && blob.contentMd5() != null && !blob.contentMd5().equals(Md5.hex(md5))) {
      throw new ChecksumMismatch("the MD5 of the " + blob.length() + " bytes received for " + blob.path()
          + " is " + Md5.hex(md5) + " but the blob's Content-MD5 is " + blob.contentMd5()
          + " (if that stored Content-MD5 is known to be stale, checkMd5=false downloads it unchecked)");
    }
    return md5;
  }

  /**
   * Streams a large blob as an in-order sliding window of ranges, each written at its own position as its
   * bytes arrive: no range is held in memory. When hashing, this thread hashes the file in order, reading
   * back from the page cache the bytes before the first gap. The window slides only once its oldest range
   * is hashed, so the ranges in flight start one after another and the hashed prefix follows the transfer
   * closely: little is left to hash once the last byte arrives. (A few long ranges at once, all moving at
   * the same pace, left all but the first to be hashed after the transfer.)
   *
   * @return the MD5 of the bytes written when {@code hash}, else null
   */
  private byte[] copyStreams(BlobEntry blob, FileChannel file, boolean hash, Runnable landed) throws IOException {
    long length = blob.length();
    MessageDigest md = hash ? Md5.newDigest() : null;
    ByteBuffer piece = hash ? ByteBuffer.allocate(HASH_PIECE) : null;
    Progress progress = new Progress();
    Deque<StreamedRange> window = new ArrayDeque<>();
    long next = 0;
    long hashed = 0;
    try {
      while (next < length || !window.isEmpty()) {
        while (next < length && window.size() < settings.rangesInFlight() && takePermit(window.isEmpty())) {
          StreamedRange range = new StreamedRange(next, Math.min(settings.rangeBytes(), length - next), progress);
          next += range.count;
          range.future = TransferPool.get().submit(() -> {
            if (range.claim()) {
              try {
                streamPart(blob, range.start, range.count, file, range::written);
              } finally {
                permits.release();
                range.end();
              }
            }
            return null;
          });
          window.add(range);
        }
        long seen = progress.changes();
        // A range that ended has its result, or is about to: a failed one is thrown from here, at once.
        for (StreamedRange range : window) {
          if (range.ended) {
            await(range.future);
          }
        }
        StreamedRange head = window.peek();
        // Ended first: once it is seen, every byte the stream wrote is counted.
        boolean headEnded = head.ended;
        long frontier = head.start + head.done.get();
        if (hash && hashed < frontier) {
          hashed = hashUpTo(file, md, piece, hashed, frontier);
        } else if (headEnded) {
          if (frontier != head.start + head.count) {
            throw new IOException("the stream of bytes " + head.start + "-" + (head.start + head.count - 1)
                + " of " + blob.path() + " ended after " + head.done.get() + " bytes");
          }
          window.poll();
          landed.run();
        } else {
          // Another range's permit or bytes may come first: wake on any range's progress.
          progress.awaitChange(seen);
        }
      }
      return hash ? md.digest() : null;
    } catch (InterruptedException e) {
      throw interrupted(e);
    } finally {
      for (StreamedRange range : window) {
        range.abandon(permits);
      }
    }
  }

  /** Hashes the file's bytes {@code [from, to)}, read back from it; returns {@code to}. */
  private static long hashUpTo(FileChannel file, MessageDigest md, ByteBuffer piece, long from, long to)
      throws IOException {
    for (long at = from; at < to; ) {
      piece.clear().limit((int) Math.min(HASH_PIECE, to - at));
      int n = file.read(piece, at);
      if (n <= 0) {
        throw new IOException("the file being written ended at byte " + at + " when read back");
      }
      md.update(piece.array(), 0, n);
      at += n;
    }
    return to;
  }

  /** Counts every change in a streamed blob's ranges, so that the task's thread can wait for the next. */
  private static final class Progress {
    private long changes;

    synchronized void signal() {
      changes++;
      notifyAll();
    }

    synchronized long changes() {
      return changes;
    }

    synchronized void awaitChange(long seen) throws InterruptedException {
      while (changes == seen) {
        wait();
      }
    }
  }

  /** One range of a streamed blob: written in order from its start by one stream. */
  private static final class StreamedRange {
    final long start;
    final long count;
    /** Bytes of the range in the file, from its start. */
    final AtomicLong done = new AtomicLong();
    private final Progress progress;
    /** Whether the stream took the range, or the window abandoned it first (exactly one does). */
    private final AtomicBoolean claimed = new AtomicBoolean();
    /** The stream returned or failed. */
    volatile boolean ended;
    Future<?> future;

    StreamedRange(long start, long count, Progress progress) {
      this.start = start;
      this.count = count;
      this.progress = progress;
    }

    /** @return whether the stream may run: false when the window was abandoned before it started */
    boolean claim() {
      return claimed.compareAndSet(false, true);
    }

    void written(long n) {
      done.addAndGet(n);
      progress.signal();
    }

    void end() {
      ended = true;
      progress.signal();
    }

    /**
     * Stops the stream. A running stream returns its permit as it ends; one that never started cannot, so
     * the window returns it here (a cancelled task may never run).
     */
    void abandon(Semaphore permits) {
      if (claim()) {
        permits.release();
      }
      future.cancel(true);
    }
  }

  /**
   * One streamed range. When it breaks, it resumes after the last byte written, under the retry policy; a
   * try that made progress starts the policy afresh (at most {@code maxTries} times), since the policy bounds
   * failures in a row, not the time a range takes.
   *
   * @param onWritten hears the count of every piece once it is in the file
   */
  private void streamPart(BlobEntry blob, long offset, long count, FileChannel file, LongConsumer onWritten)
      throws IOException {
    long[] done = {0};
    for (int resumes = 0; ; resumes++) {
      long before = done[0];
      try {
        settings.retry().run(listener, tryNumber -> {
          source.stream(blob, offset + done[0], count - done[0], (data, n, position) -> {
            ByteBuffer buffer = ByteBuffer.wrap(data, 0, n);
            for (long at = position; buffer.hasRemaining(); ) {
              at += file.write(buffer, at);
            }
            done[0] += n;
            onWritten.accept(n);
            listener.bytesTransferred(n);
          });
          return null;
        });
        return;
      } catch (IOException e) {
        // Resume only when the policy gave up on transient failures after some progress; a refusal or a
        // failed write is final.
        if (!(e.getCause() instanceof TransientFailure) || done[0] == before
            || resumes >= settings.retry().maxTries() || Thread.currentThread().isInterrupted()) {
          throw e;
        }
        listener.retried();
      }
    }
  }

  /** Keeps up to {@code rangesInFlight} ranges in flight and writes each head as it arrives. */
  private byte[] copyRanges(BlobEntry blob, OutputStream out, boolean hash) throws IOException {
    MessageDigest whole = hash ? Md5.newDigest() : null;
    Deque<Future<RangeFetcher.Chunk>> window = new ArrayDeque<>();
    long next = 0;
    long length = blob.length();
    try {
      while (next < length || !window.isEmpty()) {
        while (next < length && window.size() < settings.rangesInFlight() && takePermit(window.isEmpty())) {
          long offset = next;
          int count = (int) Math.min(settings.rangeBytes(), length - offset);
          next += count;
          window.add(TransferPool.get().submit(() -> fetcher.fetch(blob, offset, count)));
        }
        RangeFetcher.Chunk chunk;
        try {
          chunk = await(window.poll());
        } finally {
          permits.release();
        }
        out.write(chunk.data(), 0, chunk.data().length);
        if (whole != null) {
          whole.update(chunk.data(), 0, chunk.data().length);
        }
        listener.bytesTransferred(chunk.data().length);
      }
    } catch (InterruptedException e) {
      throw interrupted(e);
    } finally {
      for (Future<RangeFetcher.Chunk> f : window) {
        f.cancel(true);
        permits.release();
      }
    }
    return whole == null ? null : whole.digest();
  }

  /**
   * Takes a permit for one more range of a window. Waits for one only when nothing is in flight: otherwise
   * the caller has arrived bytes to handle first.
   *
   * @return whether a permit was taken
   */
  private boolean takePermit(boolean nothingInFlight) throws InterruptedException {
    if (nothingInFlight) {
      permits.acquire();
      return true;
    }
    return permits.tryAcquire();
  }

  /** @return the work's result, its IOException rethrown as is */
  private static <T> T await(Future<T> work) throws IOException, InterruptedException {
    try {
      return work.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
  }

  private static IOException interrupted(InterruptedException e) {
    Thread.currentThread().interrupt();
    return new IOException("interrupted", e);
  }
}
