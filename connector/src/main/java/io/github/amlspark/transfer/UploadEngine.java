package io.github.amlspark.transfer;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferStatus;
import java.io.IOException;
import java.io.InputStream;
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

/**
 * Uploads files as block blobs through a {@link BlobWriter}, in one streaming pass that computes each
 * file's MD5 on the way, so that every blob carries a whole-file Content-MD5 however large it is. A file of
 * one block is a single Put Blob; a larger one is staged in 4 MiB blocks, several in flight, and committed
 * last, so a failed upload leaves no blob (uncommitted blocks are not blobs). Every request runs under one
 * {@link RetryPolicy}. Spark-free and Azure-free.
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
 *       of bytes than its size, is not written: FAILED, saying so.
 * </ul>
 */
public final class UploadEngine {
  /** Block size: also the largest file sent in one request. */
  public static final int BLOCK_BYTES = 4 * 1024 * 1024;

  private final BlobWriter writer;
  private final OverwriteMode mode;
  private final boolean validate;
  private final Semaphore permits;
  private final RetryPolicy retry;
  private final TransferListener listener;

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
      if (mode == OverwriteMode.IF_DIFFERENT) {
        BlobWriter.BlobState existing = retry.run(listener, attempt -> writer.properties(name));
        if (existing != null && existing.length() == before.length() && existing.contentMd5() != null
            && Arrays.equals(existing.contentMd5(), md5Of(source))) {
          return result(item, before.length(), Md5.hex(existing.contentMd5()), TransferStatus.SKIPPED, true, null);
        }
      }
      byte[] md5;
      try (InputStream in = source.open()) {
        md5 = send(item, new Reader(in, source, before));
      }
      return md5 == null ? result(item, item.length(), null, TransferStatus.SKIPPED, false, null)
          : result(item, before.length(), Md5.hex(md5), TransferStatus.TRANSFERRED, validate, null);
    } catch (SourceChanged e) {
      return result(item, item.length(), null, TransferStatus.FAILED, false, e.getMessage());
    } catch (IOException | RuntimeException e) {
      String why = e instanceof RequestRefusedException ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      return result(item, item.length(), null, TransferStatus.FAILED, false,
          "Upload of " + item.source() + " failed: " + why);
    }
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
      List<String> changes = new ArrayList<>();
      if (after.length() != before.length()) {
        changes.add("size " + before.length() + " → " + after.length() + " bytes");
      } else if (grew) {
        changes.add("more than its " + before.length() + " bytes were read");
      } else if (read != before.length()) {
        changes.add("only " + read + " of its " + before.length() + " bytes could be read");
      }
      if (!after.modified().equals(before.modified())) {
        changes.add("modified at " + after.modified());
      }
      if (!changes.isEmpty()) {
        throw new SourceChanged(item.source() + " changed while it was being uploaded (" + String.join(", ", changes)
            + "); nothing was written to " + item.blobName() + "; upload it again once it is complete.");
      }
      return md5.digest();
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
    MessageDigest md = Md5.newDigest();
    byte[] buf = new byte[256 * 1024];
    try (InputStream in = source.open()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return md.digest();
  }

  private static FileTransfer result(UploadItem item, long length, String md5, TransferStatus status,
      boolean verified, String error) {
    return new FileTransfer(item.blobName(), item.source(), length, md5, status, verified, error);
  }
}
