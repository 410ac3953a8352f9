package io.github.amlspark.transfer;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory blob store: blob name to bytes. Computes the true range MD5 when asked, counts calls, and
 * can corrupt the bytes it hands back (after computing the MD5 of the true ones) a given number of times.
 */
final class FakeRangeSource implements RangeSource {
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> corruptions = new ConcurrentHashMap<>();
  private final Map<String, String> failures = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
  private final Map<String, String> refusals = new ConcurrentHashMap<>();
  private final Map<String, Long> delaysMillis = new ConcurrentHashMap<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final Map<String, AtomicInteger> callsByBlob = new ConcurrentHashMap<>();
  private final Map<String, List<String>> rangesByBlob = new ConcurrentHashMap<>();
  /** Only ranges starting at this offset are corrupted, or every range when negative. */
  private volatile long corruptOffset = -1;
  /** Reads starting at this offset (of any blob) first wait {@link #offsetDelayMillis}. */
  private volatile long delayedOffset = -1;
  private volatile long offsetDelayMillis;

  FakeRangeSource put(String name, byte[] content) {
    blobs.put(name, content);
    return this;
  }

  /** The next {@code times} reads of the blob (of its corruptible ranges) return a flipped byte. */
  FakeRangeSource corrupt(String name, int times) {
    corruptions.put(name, new AtomicInteger(times));
    return this;
  }

  FakeRangeSource corruptOnlyRangeAt(long offset) {
    this.corruptOffset = offset;
    return this;
  }

  /** Every read of the blob throws an IOException (a broken connection: worth a retry). */
  FakeRangeSource failWith(String name, String message) {
    return failWith(name, message, Integer.MAX_VALUE);
  }

  /** The next {@code times} reads of the blob throw an IOException. */
  FakeRangeSource failWith(String name, String message, int times) {
    failures.put(name, message);
    failuresLeft.put(name, new AtomicInteger(times));
    return this;
  }

  /** Every read of the blob is answered with an error status: a {@link RequestRefusedException}. */
  FakeRangeSource refuse(String name, String message) {
    refusals.put(name, message);
    return this;
  }

  FakeRangeSource delay(String name, long millis) {
    delaysMillis.put(name, millis);
    return this;
  }

  /** Reads that start at {@code offset} answer {@code millis} later: later ranges then finish first. */
  FakeRangeSource delayRangeAt(long offset, long millis) {
    this.offsetDelayMillis = millis;
    this.delayedOffset = offset;
    return this;
  }

  int calls() {
    return calls.get();
  }

  int calls(String name) {
    AtomicInteger n = callsByBlob.get(name);
    return n == null ? 0 : n.get();
  }

  /** @return the ranges read of the blob, as {@code first-last}, in the order they were asked for */
  List<String> ranges(String name) {
    return List.copyOf(rangesByBlob.getOrDefault(name, List.of()));
  }

  @Override
  public byte[] read(BlobEntry blob, long offset, int length, boolean wantRangeMd5, byte[] buffer)
      throws IOException {
    calls.incrementAndGet();
    callsByBlob.computeIfAbsent(blob.name(), k -> new AtomicInteger()).incrementAndGet();
    rangesByBlob.computeIfAbsent(blob.name(), k -> new CopyOnWriteArrayList<>())
        .add(offset + "-" + (offset + length - 1));
    if (length < 1) {
      throw new AssertionError("RangeSource contract: length is at least 1, was " + length);
    }
    Long delay = offset == delayedOffset ? Long.valueOf(offsetDelayMillis) : delaysMillis.get(blob.name());
    if (delay != null) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    String refusal = refusals.get(blob.name());
    if (refusal != null) {
      throw new RequestRefusedException(refusal, 403, null);
    }
    String failure = failures.get(blob.name());
    if (failure != null && failuresLeft.get(blob.name()).getAndDecrement() > 0) {
      throw new TransientFailure(failure, null, null);
    }
    byte[] content = blobs.get(blob.name());
    if (content == null) {
      throw new IOException("BlobNotFound: " + blob.name());
    }
    if (offset < 0 || offset + length > content.length) {
      throw new IOException("range " + offset + "+" + length + " outside blob of " + content.length);
    }
    System.arraycopy(content, (int) offset, buffer, 0, length);
    byte[] md5 = wantRangeMd5 ? Md5.of(buffer, length) : null;
    AtomicInteger left = corruptions.get(blob.name());
    if (left != null && (corruptOffset < 0 || corruptOffset == offset) && left.getAndDecrement() > 0) {
      buffer[length / 2] ^= 0x5A;
    }
    return md5;
  }

  /** Streams through {@link #read} (so calls, delays, failures and corruptions apply), in 1 MiB pieces. */
  @Override
  public void stream(BlobEntry blob, long offset, long length, Sink sink) throws IOException {
    byte[] data = new byte[(int) length];
    read(blob, offset, (int) length, false, data);
    for (int at = 0; at < data.length; at += 1 << 20) {
      int n = Math.min(1 << 20, data.length - at);
      sink.write(java.util.Arrays.copyOfRange(data, at, at + n), n, offset + at);
    }
  }
}
