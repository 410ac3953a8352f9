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

/**
 * Copies one blob's bytes, in order, to an output stream: one GET for a small blob, a sliding window of
 * ranged GETs for a large one. Every range is checked against its MD5 when checksums are validated, and
 * the whole content against the blob's Content-MD5 when it has one.
 */
final class BlobCopier {
  /** Long ranges streamed at once per large blob when no checksum is validated. */
  private static final int STREAMS_PER_BLOB = 4;

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
   * @param positional the same file for writes at any position, or null
   * @return the MD5 of the bytes written when checksums are validated, else null
   * @throws ChecksumMismatch when the bytes did not match their MD5
   * @throws IOException when a request or the write fails
   */
  byte[] copy(BlobEntry blob, OutputStream out, FileChannel positional) throws IOException {
    byte[] md5;
    if (isSmall(blob)) {
      RangeFetcher.Chunk chunk = blob.length() == 0 ? RangeFetcher.Chunk.EMPTY
          : fetcher.fetch(blob, 0, (int) blob.length());
      out.write(chunk.data(), 0, chunk.data().length);
      listener.bytesTransferred(blob.length());
      md5 = chunk.md5();
    } else if (positional != null && !settings.validateChecksum()) {
      copyStreams(blob, positional);
      md5 = null;
    } else {
      md5 = copyRanges(blob, out);
    }
    if (md5 != null && blob.contentMd5() != null && !blob.contentMd5().equals(Md5.hex(md5))) {
      throw new ChecksumMismatch("the MD5 of the " + blob.length() + " bytes received for " + blob.path()
          + " is " + Md5.hex(md5) + " but the blob's Content-MD5 is " + blob.contentMd5());
    }
    return md5;
  }

  /**
   * Streams a large blob as a few long ranges at once, each written at its own position: no range is held
   * in memory, and the service sees few requests (an emulator's cost per request grows with the blob).
   */
  private void copyStreams(BlobEntry blob, FileChannel file) throws IOException {
    long length = blob.length();
    int parts = (int) Math.max(1, Math.min(STREAMS_PER_BLOB,
        (length + TransferSettings.PLAIN_RANGE_BYTES - 1) / TransferSettings.PLAIN_RANGE_BYTES));
    long partSize = (length + parts - 1) / parts;
    List<Future<?>> streams = new ArrayList<>(parts);
    try {
      for (long offset = 0; offset < length; offset += partSize) {
        long start = offset;
        long count = Math.min(partSize, length - offset);
        permits.acquire();
        streams.add(TransferPool.get().submit(() -> {
          try {
            streamPart(blob, start, count, file);
            return null;
          } finally {
            permits.release();
          }
        }));
      }
      for (Future<?> stream : streams) {
        await(stream);
      }
    } catch (InterruptedException e) {
      throw interrupted(e);
    } finally {
      streams.forEach(f -> f.cancel(true));
    }
  }

  /**
   * One long range. When it breaks, it resumes after the last byte written, under the retry policy; a try
   * that made progress starts the policy afresh (at most {@code maxTries} times), since the policy bounds
   * failures in a row, not the time a long range takes.
   */
  private void streamPart(BlobEntry blob, long offset, long count, FileChannel file) throws IOException {
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
  private byte[] copyRanges(BlobEntry blob, OutputStream out) throws IOException {
    MessageDigest whole = settings.validateChecksum() ? Md5.newDigest() : null;
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
