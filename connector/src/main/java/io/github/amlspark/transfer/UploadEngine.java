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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Uploads files as block blobs through a {@link BlobWriter}, so that every blob carries a whole-file
 * Content-MD5 however large it is. A file of one block is read into memory and sent as one Put Blob. A file
 * of up to {@link #SINGLE_PUT_BYTES} is read twice: a first pass computes its MD5, then one Put Blob streams
 * it again with that MD5 as its Content-MD5, which the service checks over the whole body, so bytes that
 * changed between the passes are refused and never become a blob. A larger file is staged in blocks of
 * {@link #STAGED_BLOCK_BYTES}, several in flight, hashed on the way, and committed last, so a failed upload
 * leaves no blob (uncommitted blocks are not blobs). Every request runs under one {@link RetryPolicy}.
 * Spark-free and Azure-free.
 *
 * <p>Memory: a file read into memory holds one array of its size; a streamed file, {@link #READ_PIECE} and
 * the HTTP client's few body buffers; staged files share the engine's block permits, each taken before a
 * block is read and returned once it is staged, so at most that many blocks are in memory whatever the
 * number of files (docs/uploads.md gives the figures).
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
  /** Largest file read into memory and sent as one Put Blob. */
  public static final int BLOCK_BYTES = 4 * 1024 * 1024;

  /** Block size of a file staged in blocks (above {@link #SINGLE_PUT_BYTES}), chosen by measurement. */
  public static final int STAGED_BLOCK_BYTES = 16 * 1024 * 1024;

  /** Bytes of staged blocks in memory per engine (one task), whatever the number of files. */
  public static final int STAGED_WINDOW_BYTES = 64 * 1024 * 1024;

  /**
   * What one read of a source asks for. Small: the JDK reads a file into a heap array through a temporary
   * direct buffer of the read's size that each thread keeps, so 4 MiB reads would pin 4 MiB of native
   * memory in every transfer thread.
   */
  static final int READ_PIECE = 64 * 1024;

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
  private final int blockBytes;

  /**
   * @param writer where blobs are written
   * @param mode what to do with a blob that exists
   * @param validate also send each request's MD5, for the service to check in transit
   * @param concurrency requests in flight: staged blocks in flight are as many, up to
   *     {@link #STAGED_WINDOW_BYTES} of them
   * @param retry how every request is retried
   * @param listener hears of every retry
   */
  public UploadEngine(BlobWriter writer, OverwriteMode mode, boolean validate, int concurrency,
      RetryPolicy retry, TransferListener listener) {
    this(writer, mode, validate, Math.max(1, Math.min(concurrency, STAGED_WINDOW_BYTES / STAGED_BLOCK_BYTES)),
        retry, listener, SINGLE_PUT_BYTES, STAGED_BLOCK_BYTES);
  }

  /**
   * As the public constructor, with the staging layout given (tests stage small files; the block probe of
   * docs/uploads.md tries other layouts).
   *
   * @param blocksInFlight staged blocks in memory at once, all files together
   * @param singlePutBytes largest file sent as one Put Blob
   * @param blockBytes block size of a staged file
   */
  public UploadEngine(BlobWriter writer, OverwriteMode mode, boolean validate, int blocksInFlight,
      RetryPolicy retry, TransferListener listener, long singlePutBytes, int blockBytes) {
    this.singlePutBytes = singlePutBytes;
    this.blockBytes = blockBytes;
    this.writer = writer;
    this.mode = mode;
    this.validate = validate;
    this.permits = new Semaphore(blocksInFlight);
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
      reader.hashRest();
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

  /**
   * Sends a file of up to {@link #BLOCK_BYTES} as one Put Blob, a larger one as staged blocks.
   *
   * @return its MD5 (the blob's Content-MD5), or null when another writer's blob is kept
   */
  private byte[] send(UploadItem item, Reader reader) throws IOException {
    String name = item.blobName();
    if (reader.before.length() <= BLOCK_BYTES) {
      byte[] content = reader.next(BLOCK_BYTES);
      byte[] md5 = reader.unchanged(item);
      return create(name, md5, content.length,
          () -> writer.putBlob(name, content, md5, validate, mode == OverwriteMode.NEVER)) ? md5 : null;
    }
    List<String> ids = new ArrayList<>();
    List<Staged> staged = new ArrayList<>();
    BlockIds blockIds = new BlockIds();
    try {
      while (true) {
        // The permit covers the block from its read to its answer: it bounds the blocks in memory.
        permits.acquire();
        Staged block = new Staged();
        byte[] data;
        try {
          data = reader.next(blockBytes);
        } catch (IOException | RuntimeException e) {
          block.release(permits);
          throw e;
        }
        if (data.length == 0) {
          block.release(permits);
          break;
        }
        String id = blockIds.id(ids.size());
        ids.add(id);
        staged.add(block);
        block.future = TransferPool.get().submit(() -> {
          try {
            byte[] blockMd5 = validate ? Md5.of(data, data.length) : null;
            return retry.run(listener, attempt -> {
              writer.stageBlock(name, id, data, blockMd5);
              return null;
            });
          } finally {
            block.release(permits);
          }
        });
      }
      for (Staged block : staged) {
        block.future.get();
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
      for (Staged block : staged) {
        block.future.cancel(true);
        // A block cancelled before it ran never returns its permit itself.
        block.release(permits);
      }
    }
    byte[] md5 = reader.unchanged(item);
    return create(name, md5, reader.read,
        () -> writer.commitBlocks(name, ids, md5, mode == OverwriteMode.NEVER)) ? md5 : null;
  }

  /** One staged block's request and its permit, returned exactly once (by the request, or on cancel). */
  private static final class Staged {
    private final AtomicBoolean released = new AtomicBoolean();
    Future<?> future;

    void release(Semaphore permits) {
      if (released.compareAndSet(false, true)) {
        permits.release();
      }
    }
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

    /**
     * @param size the block size
     * @return the next block, of {@code size} bytes but the last, empty at the end (the size, or an early
     *     end of the stream)
     */
    byte[] next(int size) throws IOException {
      byte[] block = new byte[(int) Math.min(size, before.length() - read)];
      int n = 0;
      for (int r; n < block.length && (r = in.read(block, n, Math.min(READ_PIECE, block.length - n))) >= 0; ) {
        n += r;
      }
      read += n;
      md5.update(block, 0, n);
      return n == block.length ? block : Arrays.copyOf(block, n);
    }

    /** Reads and hashes the rest, at most the size, one small piece at a time. */
    void hashRest() throws IOException {
      byte[] piece = new byte[READ_PIECE];
      for (int r; read < before.length()
          && (r = in.read(piece, 0, (int) Math.min(READ_PIECE, before.length() - read))) >= 0; ) {
        md5.update(piece, 0, r);
        read += r;
      }
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
