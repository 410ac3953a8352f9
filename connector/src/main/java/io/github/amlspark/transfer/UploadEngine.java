package io.github.amlspark.transfer;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferStatus;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Uploads files as block blobs through a {@link BlobWriter}, so that every blob carries a whole-file
 * Content-MD5 however large it is. A file of one block is read into memory and sent as one Put Blob. A file
 * of up to {@link #SINGLE_PUT_BYTES} is read twice: a first pass computes its MD5, then one Put Blob streams
 * it again with that MD5 as its Content-MD5, which the service checks over the whole body, so bytes that
 * changed between the passes are refused and never become a blob. A larger file is staged in 4 MiB blocks,
 * several in flight, hashed on the way, and committed last, so a failed upload leaves no blob (uncommitted
 * blocks are not blobs). Every request runs under one {@link RetryPolicy}. Spark-free and Azure-free.
 *
 * <ul>
 *   <li>Block ids are unique to each upload attempt (a random 128-bit id and the block's index, of one
 *       length), so a commit names only its own blocks: two writers racing to one name leave one file or
 *       the other, never a mix.
 *   <li>With {@link OverwriteMode#NEVER} the write is conditional ({@code If-None-Match: *}): only "already
 *       exists" is SKIPPED, any other refusal (a lease, an immutability policy) is FAILED. When that answer
 *       comes to a retry, the first try may have written the blob and lost its response: the blob's length
 *       and Content-MD5 tell ours (TRANSFERRED) from another writer's (SKIPPED).
 *   <li>A source whose size or modification time changes while it is read, or that yields another number
 *       of bytes than its size, is not written: FAILED, saying so. A streamed Put Blob whose body differs
 *       from the first pass is refused by the service (400 Md5Mismatch) and FAILED the same way.
 * </ul>
 */
public final class UploadEngine {
  /** Block size: also the largest file sent in one request. */
  public static final int BLOCK_BYTES = 4 * 1024 * 1024;

  /**
   * Largest file sent as one streamed Put Blob, as the Azure SDK does (the service takes up to 5,000 MiB).
   * Reading a local file twice costs far less than staging blocks, which the emulator serves at a quarter
   * to a half of one Put Blob's rate; above this, a lost connection would resend too much at once.
   */
  public static final long SINGLE_PUT_BYTES = 256L * 1024 * 1024;

  private final BlobWriter writer;
  private final OverwriteMode mode;
  private final boolean validate;
  private final Semaphore permits;
  private final RetryPolicy retry;
  private final TransferListener listener;
  private final long singlePutBytes;

  /**
   * @param writer where blobs are written
   * @param mode what to do with a blob that exists
   * @param validate also send each request's MD5, for the service to check in transit
   * @param concurrency blocks in flight
   * @param retry how every request is retried
   * @param listener hears of every retry
   */
  public UploadEngine(BlobWriter writer, OverwriteMode mode, boolean validate, int concurrency,
      RetryPolicy retry, TransferListener listener) {
    this(writer, mode, validate, concurrency, retry, listener, SINGLE_PUT_BYTES);
  }

  /** As the public constructor, with another largest single Put Blob (tests stage blocks of small files). */
  UploadEngine(BlobWriter writer, OverwriteMode mode, boolean validate, int concurrency, RetryPolicy retry,
      TransferListener listener, long singlePutBytes) {
    this.singlePutBytes = singlePutBytes;
    this.writer = writer;
    this.mode = mode;
    this.validate = validate;
    this.permits = new Semaphore(concurrency);
    this.retry = retry;
    this.listener = listener;
  }

  /**
   * @param item what is uploaded ({@code source} names it in the report) and its destination
   * @param source the content
   * @return the outcome; a failure is a FAILED result, never an exception
   */
  public FileTransfer upload(UploadItem item, UploadSource source) {
    String name = item.blobName();
    try {
      UploadSource.Snapshot before = source.snapshot();
      boolean streamed = before.length() > BLOCK_BYTES && before.length() <= singlePutBytes;
      byte[] firstPass = streamed ? hashPass(item, source, before) : null;
      if (mode == OverwriteMode.IF_DIFFERENT) {
        BlobWriter.BlobState existing = retry.run(listener, attempt -> writer.properties(name));
        if (existing != null && existing.length() == before.length() && existing.contentMd5() != null
            && Arrays.equals(existing.contentMd5(), firstPass != null ? firstPass : md5Of(source))) {
          return result(item, before.length(), Md5.hex(existing.contentMd5()), TransferStatus.SKIPPED, true, null);
        }
      }
      byte[] md5;
      if (streamed) {
        md5 = sendStreamed(item, source, before, firstPass);
      } else {
        try (InputStream in = source.open()) {
          md5 = send(item, new Reader(in, source, before));
        }
      }
      // The service checked a streamed body against its MD5 whether or not validate asked for it.
      return md5 == null ? result(item, item.length(), null, TransferStatus.SKIPPED, false, null)
          : result(item, before.length(), Md5.hex(md5), TransferStatus.TRANSFERRED, validate || streamed, null);
    } catch (SourceChanged e) {
      return result(item, item.length(), null, TransferStatus.FAILED, false, e.getMessage());
    } catch (IOException | RuntimeException e) {
      String why = e instanceof RequestRefusedException ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      return result(item, item.length(), null, TransferStatus.FAILED, false,
          "Upload of " + item.source() + " failed: " + why);
    }
  }

  /** The first pass of a streamed Put Blob: the whole file's MD5, once it is known not to have changed. */
  private static byte[] hashPass(UploadItem item, UploadSource source, UploadSource.Snapshot before)
      throws IOException {
    try (InputStream in = source.open()) {
      Reader reader = new Reader(in, source, before);
      while (reader.next().length > 0) {
        // hashed on the way
      }
      return reader.unchanged(item);
    }
  }

  /**
   * One Put Blob whose body is the source read again, at most its size, with the first pass's MD5 as
   * Content-MD5: the service refuses a body that differs (the source changed), so no changed source
   * becomes a blob. Every try reopens the source.
   *
   * @return the MD5, or null when another writer's blob is kept
   */
  private byte[] sendStreamed(UploadItem item, UploadSource source, UploadSource.Snapshot before, byte[] md5)
      throws IOException {
    String name = item.blobName();
    Supplier<InputStream> body = () -> {
      try {
        return new BoundedInputStream(source.open(), before.length());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    boolean ours;
    try {
      ours = create(name, md5, before.length(), () -> {
        try {
          writer.putBlob(name, body, before.length(), md5, mode == OverwriteMode.NEVER);
        } catch (TransientFailure e) {
          // A body cut short because the file shrank is no reason for another try.
          List<String> changes = changes(before, source.snapshot());
          if (!changes.isEmpty()) {
            throw new SourceChanged(changedMessage(item, String.join(", ", changes)));
          }
          throw e;
        }
      });
    } catch (RequestRefusedException e) {
      if (e.status() == 400 && "Md5Mismatch".equals(e.errorCode())) {
        throw new SourceChanged(changedMessage(item, "its bytes no longer have the MD5 of the first read"));
      }
      throw e;
    }
    List<String> changes = changes(before, source.snapshot());
    if (ours && !changes.isEmpty()) {
      // The service checked the body against the first pass: the blob is the file as first read.
      throw new SourceChanged(item.source() + " changed while it was being uploaded (" + String.join(", ", changes)
          + "); " + name + " holds its content as first read (MD5 " + Md5.hex(md5) + "); upload it again once it"
          + " is complete.");
    }
    return ours ? md5 : null;
  }

  /** @return how the source's size and modification time changed since {@code before}, if they did */
  private static List<String> changes(UploadSource.Snapshot before, UploadSource.Snapshot after) {
    List<String> changes = new ArrayList<>();
    if (after.length() != before.length()) {
      changes.add("size " + before.length() + " → " + after.length() + " bytes");
    }
    if (!after.modified().equals(before.modified())) {
      changes.add("modified at " + after.modified());
    }
    return changes;
  }

  /** Streams the file up; returns its MD5 (the blob's Content-MD5), or null when another writer's blob is kept. */
  private byte[] send(UploadItem item, Reader reader) throws IOException {
    String name = item.blobName();
    byte[] first = reader.next();
    byte[] next = reader.next();
    if (next.length == 0) {
      byte[] md5 = reader.unchanged(item);
      return create(name, md5, first.length,
          () -> writer.putBlob(name, first, md5, validate, mode == OverwriteMode.NEVER)) ? md5 : null;
    }
    List<String> ids = new ArrayList<>();
    List<Future<?>> staged = new ArrayList<>();
    BlockIds blockIds = new BlockIds();
    try {
      for (byte[] block = first; block.length > 0; ) {
        String id = blockIds.id(ids.size());
        ids.add(id);
        byte[] data = block;
        permits.acquire();
        staged.add(TransferPool.get().submit(() -> {
          try {
            byte[] blockMd5 = validate ? Md5.of(data, data.length) : null;
            return retry.run(listener, attempt -> {
              writer.stageBlock(name, id, data, blockMd5);
              return null;
            });
          } finally {
            permits.release();
          }
        }));
        block = next;
        next = block.length > 0 ? reader.next() : block;
      }
      for (Future<?> f : staged) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(e.getCause());
    } finally {
      staged.forEach(f -> f.cancel(true));
    }
    byte[] md5 = reader.unchanged(item);
    return create(name, md5, reader.read,
        () -> writer.commitBlocks(name, ids, md5, mode == OverwriteMode.NEVER)) ? md5 : null;
  }

  /**
   * Runs the request that creates the blob under the retry policy.
   *
   * @return true when the blob is ours, false when a conditional create found another writer's
   */
  private boolean create(String name, byte[] md5, long length, Write write) throws IOException {
    int[] tries = {0};
    try {
      retry.run(listener, attempt -> {
        tries[0] = attempt;
        write.send();
        return null;
      });
      return true;
    } catch (RequestRefusedException e) {
      if (mode != OverwriteMode.NEVER || !alreadyExists(e)) {
        throw e;
      }
      if (tries[0] == 1) {
        return false;
      }
      // A retry found the blob: the first try may have created it and lost its response.
      BlobWriter.BlobState there = retry.run(listener, attempt -> writer.properties(name));
      return there != null && there.length() == length && Arrays.equals(there.contentMd5(), md5);
    }
  }

  /** @return whether a conditional create was refused because the blob exists, and for no other reason */
  static boolean alreadyExists(RequestRefusedException e) {
    return (e.status() == 409 && "BlobAlreadyExists".equals(e.errorCode()))
        || (e.status() == 412 && "ConditionNotMet".equals(e.errorCode()));
  }

  /** One try of the request that creates a blob. */
  @FunctionalInterface
  private interface Write {
    void send() throws IOException;
  }

  /**
   * The ids of one upload attempt's blocks: base64 of a random 128-bit attempt id and the block's index,
   * all of one length, so no other upload of the same blob stages or commits an id of this one.
   */
  static final class BlockIds {
    private final UUID attempt = UUID.randomUUID();

    String id(int index) {
      return Base64.getEncoder().encodeToString(ByteBuffer.allocate(20)
          .putLong(attempt.getMostSignificantBits()).putLong(attempt.getLeastSignificantBits()).putInt(index)
          .array());
    }
  }

  /** Reads the source in blocks, at most its size, hashing as it goes. */
  private static final class Reader {
    private final InputStream in;
    private final UploadSource source;
    private final UploadSource.Snapshot before;
    private final MessageDigest md5 = Md5.newDigest();
    private long read;

    Reader(InputStream in, UploadSource source, UploadSource.Snapshot before) {
      this.in = in;
      this.source = source;
      this.before = before;
    }

    /** @return the next block, empty at the end (the size, or an early end of the stream) */
    byte[] next() throws IOException {
      byte[] block = in.readNBytes((int) Math.min(BLOCK_BYTES, before.length() - read));
      read += block.length;
      md5.update(block);
      return block;
    }

    /**
     * Checks, once every byte is read and before the blob is written, that the source did not change
     * meanwhile (AzCopy's check).
     *
     * @return the MD5 of what was read
     * @throws SourceChanged when it did
     */
    byte[] unchanged(UploadItem item) throws IOException {
      boolean grew = read == before.length() && in.read() >= 0;
      UploadSource.Snapshot after = source.snapshot();
      List<String> changes = changes(before, after);
      if (after.length() == before.length() && grew) {
        changes.add(0, "more than its " + before.length() + " bytes were read");
      } else if (after.length() == before.length() && read != before.length()) {
        changes.add(0, "only " + read + " of its " + before.length() + " bytes could be read");
      }
      if (!changes.isEmpty()) {
        throw new SourceChanged(changedMessage(item, String.join(", ", changes)));
      }
      return md5.digest();
    }
  }

  private static String changedMessage(UploadItem item, String changes) {
    return item.source() + " changed while it was being uploaded (" + changes + "); nothing was written to "
        + item.blobName() + "; upload it again once it is complete.";
  }

  /** A source's stream cut at the size the upload announced, so a grown file sends no extra byte. */
  private static final class BoundedInputStream extends FilterInputStream {
    private long left;

    BoundedInputStream(InputStream in, long length) {
      super(in);
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = in.read();
      left -= b < 0 ? 0 : 1;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      left -= Math.max(n, 0);
      return n;
    }
  }

  /** The source changed while it was read: nothing was written. */
  private static final class SourceChanged extends IOException {
    private static final long serialVersionUID = 1L;

    SourceChanged(String message) {
      super(message);
    }
  }

  private static byte[] md5Of(UploadSource source) throws IOException {
    try (InputStream in = source.open()) {
      return Md5.of(in);
    }
  }

  private static FileTransfer result(UploadItem item, long length, String md5, TransferStatus status,
      boolean verified, String error) {
    return new FileTransfer(item.blobName(), item.source(), length, md5, status, verified, error);
  }
}
