package io.github.amlspark.transfer;

import io.github.amlspark.config.TransferSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;

/**
 * Copies one blob's bytes, in order, to an output stream: one GET for a small blob, a sliding window of
 * ranged GETs for a large one. Every range is checked against its MD5 when checksums are validated, and
 * the whole content against the blob's Content-MD5 when it has one (unless {@code checkMd5} is off). The
 * whole-file MD5 is computed as the bytes arrive, never in a second pass over a finished file.
 */
final class BlobCopier {
  /** Long ranges streamed at once per large blob when no checksum is validated. */
  private static final int STREAMS_PER_BLOB = 4;
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
   * @return the MD5 of the bytes written when it was computed ({@link TransferSettings#hashes}): every
   *     range matched its range MD5 when validating, and the whole matched the blob's Content-MD5 when it
   *     has one; null when nothing was checked
   * @throws ChecksumMismatch when the bytes did not match their MD5
   * @throws IOException when a request or the write fails
   */
  byte[] copy(BlobEntry blob, OutputStream out, FileChannel positional) throws IOException {
    boolean hash = settings.hashes(blob);
    byte[] md5;
    if (isSmall(blob)) {
      RangeFetcher.Chunk chunk = blob.length() == 0 ? RangeFetcher.Chunk.EMPTY
          : fetcher.fetch(blob, 0, (int) blob.length());
      out.write(chunk.data(), 0, chunk.data().length);
      listener.bytesTransferred(blob.length());
      md5 = !hash ? null : chunk.md5() != null ? chunk.md5() : Md5.of(chunk.data(), chunk.data().length);
    } else if (positional != null && !settings.validateChecksum()) {
      md5 = copyStreams(blob, positional, hash);
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
   * Streams a large blob as a few long ranges at once, each written at its own position: no range is held
   * in memory, and the service sees few requests (an emulator's cost per request grows with the blob).
   * When hashing, this thread hashes the file in order while the ranges stream, reading back from the
   * page cache each byte once every byte before it has been written.
   *
   * @return the MD5 of the bytes written when {@code hash}, else null
   */
  private byte[] copyStreams(BlobEntry blob, FileChannel file, boolean hash) throws IOException {
    long length = blob.length();
    int parts = (int) Math.max(1, Math.min(STREAMS_PER_BLOB,
        (length + TransferSettings.PLAIN_RANGE_BYTES - 1) / TransferSettings.PLAIN_RANGE_BYTES));
    long partSize = (length + parts - 1) / parts;
    Written written = new Written(length, partSize);
    List<Future<?>> streams = new ArrayList<>(parts);
    try {
      for (int part = 0; part * partSize < length; part++) {
        long start = part * partSize;
        long count = Math.min(partSize, length - start);
        int index = part;
        permits.acquire();
        streams.add(TransferPool.get().submit(() -> {
          try {
            streamPart(blob, start, count, file, n -> written.add(index, n));
            return null;
          } finally {
            permits.release();
            written.ended(index);
          }
        }));
      }
      byte[] md5 = hash ? hashInOrder(file, written, streams) : null;
      for (Future<?> stream : streams) {
        await(stream);
      }
      return md5;
    } catch (InterruptedException e) {
      throw interrupted(e);
    } finally {
      streams.forEach(f -> f.cancel(true));
    }
  }

  /**
   * Hashes the file from its start as far as it is written, waiting for the streams, until the whole of
   * it is hashed or a stream fails (that stream's failure is thrown).
   */
  private static byte[] hashInOrder(FileChannel file, Written written, List<Future<?>> streams)
      throws IOException, InterruptedException {
    MessageDigest md = Md5.newDigest();
    ByteBuffer piece = ByteBuffer.allocate(HASH_PIECE);
    long hashed = 0;
    while (hashed < written.length) {
      long seen = written.changes();
      long frontier = written.frontier();
      if (frontier == hashed) {
        // A stream that ended has its result, or is about to: a failed one is thrown from here.
        boolean allEnded = true;
        for (int part = 0; part < streams.size(); part++) {
          if (written.hasEnded(part)) {
            await(streams.get(part));
          } else {
            allEnded = false;
          }
        }
        if (allEnded && written.frontier() == hashed) {
          throw new IOException("the streams ended at byte " + hashed + " of " + written.length);
        }
        written.awaitChange(seen);
        continue;
      }
      while (hashed < frontier) {
        piece.clear().limit((int) Math.min(HASH_PIECE, frontier - hashed));
        int n = file.read(piece, hashed);
        if (n <= 0) {
          throw new IOException("the file being written ended at byte " + hashed + " when read back");
        }
        md.update(piece.array(), 0, n);
        hashed += n;
      }
    }
    return md.digest();
  }

  /** Bytes written so far by each part of a streamed blob (each part writes in order from its start). */
  private static final class Written {
    private final long length;
    private final long partSize;
    private final AtomicLongArray done;
    private final boolean[] ended;
    private long changes;

    Written(long length, long partSize) {
      this.length = length;
      this.partSize = partSize;
      int parts = (int) ((length + partSize - 1) / partSize);
      this.done = new AtomicLongArray(parts);
      this.ended = new boolean[parts];
    }

    void add(int part, long n) {
      done.addAndGet(part, n);
      signal();
    }

    /** The part's stream returned or failed. */
    synchronized void ended(int part) {
      ended[part] = true;
      signal();
    }

    synchronized boolean hasEnded(int part) {
      return ended[part];
    }

    private synchronized void signal() {
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

    /** @return how many bytes from the blob's start are written, with no gap */
    long frontier() {
      long at = 0;
      for (int part = 0; part < done.length(); part++) {
        long size = Math.min(partSize, length - part * partSize);
        long d = done.get(part);
        at = part * partSize + d;
        if (d < size) {
          break;
        }
      }
      return at;
    }
  }

  /**
   * One long range. When it breaks, it resumes after the last byte written, under the retry policy; a try
   * that made progress starts the policy afresh (at most {@code maxTries} times), since the policy bounds
   * failures in a row, not the time a long range takes.
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
        while (next < length && window.size() < settings.rangesInFlight()) {
          // Block only when nothing is in flight; otherwise write what has arrived first.
          if (window.isEmpty()) {
            permits.acquire();
          } else if (!permits.tryAcquire()) {
            break;
          }
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
