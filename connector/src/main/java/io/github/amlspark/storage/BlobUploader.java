package io.github.amlspark.storage;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.transfer.Md5;
import io.github.amlspark.transfer.RetryPolicy;
import io.github.amlspark.transfer.TransferListener;
import io.github.amlspark.transfer.TransferPool;
import io.github.amlspark.transfer.UploadItem;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Uploads local files as block blobs in one streaming pass that computes each file's MD5 on the way, so
 * that every blob carries a whole-file Content-MD5 however large it is. A file of one block is a single
 * Put Blob; a larger one is staged in 4 MiB blocks, several in flight, and committed last, so a failed
 * upload leaves no blob (uncommitted blocks are not blobs). Single Put Blobs go through {@link BlobHttp},
 * like the download GETs; blocks and commits through the SDK. With {@link OverwriteMode#NEVER} the write is
 * conditional on the blob being absent ({@code If-None-Match: *}), so a racing writer is never clobbered.
 */
public final class BlobUploader {
  /** Block size: also the largest file sent in one request. */
  public static final int BLOCK_BYTES = 4 * 1024 * 1024;
  // 201 created; 409 and 412 answer a conditional write whose blob exists.
  private static final Set<Integer> PUT_STATUSES = Set.of(201, 409, 412);

  private final ContainerAccess access;
  private final OverwriteMode mode;
  private final boolean validate;
  private final Semaphore permits;

  /**
   * @param access the container, with a SAS that may create, write and read
   * @param mode what to do with a blob that exists
   * @param validate also send each block's MD5, for the service to check in transit
   * @param concurrency blocks in flight
   */
  public BlobUploader(ContainerAccess access, OverwriteMode mode, boolean validate, int concurrency) {
    this.access = access;
    this.mode = mode;
    this.validate = validate;
    this.permits = new Semaphore(concurrency);
  }

  /** Opens the bytes to upload; called again when they must be read twice (ifDifferent). */
  public interface Source {
    /**
     * @return a fresh stream of the content
     * @throws IOException when it cannot be opened
     */
    InputStream open() throws IOException;
  }

  /**
   * @param item what is uploaded ({@code source} names it in the report) and its destination
   * @param source the content
   * @return the outcome; a failure is a FAILED result, never an exception
   */
  public FileTransfer upload(UploadItem item, Source source) {
    BlockBlobClient blob = StorageClients.container(access).getBlobClient(item.blobName()).getBlockBlobClient();
    try {
      // Under NEVER the conditional write (If-None-Match: *) is the check, so the SAS needs no read
      // permission; only IF_DIFFERENT looks at the blob first.
      if (mode == OverwriteMode.IF_DIFFERENT) {
        BlobProperties existing = propertiesOrNull(blob);
        if (existing != null && existing.getBlobSize() == item.length() && existing.getContentMd5() != null
            && Arrays.equals(existing.getContentMd5(), md5Of(source))) {
          return result(item, Md5.hex(existing.getContentMd5()), TransferStatus.SKIPPED, true, null);
        }
      }
      BlobRequestConditions onlyIfAbsent = mode == OverwriteMode.NEVER
          ? new BlobRequestConditions().setIfNoneMatch("*") : null;
      byte[] md5;
      try (InputStream in = source.open()) {
        md5 = send(blob, in, onlyIfAbsent);
      }
      return result(item, Md5.hex(md5), TransferStatus.TRANSFERRED, validate, null);
    } catch (AlreadyExists e) {
      return result(item, null, TransferStatus.SKIPPED, false, null);
    } catch (BlobStorageException e) {
      if (mode == OverwriteMode.NEVER && (e.getStatusCode() == 409 || e.getStatusCode() == 412)) {
        // Another writer created it first: theirs is kept.
        return result(item, null, TransferStatus.SKIPPED, false, null);
      }
      return result(item, null, TransferStatus.FAILED, false,
          "Upload of " + item.source() + " failed: " + StorageErrors.describe(e));
    } catch (IOException | RuntimeException e) {
      return result(item, null, TransferStatus.FAILED, false, "Upload of " + item.source() + " failed: "
          + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /** Streams the file up; returns its MD5, which the blob also carries as Content-MD5. */
  private byte[] send(BlockBlobClient blob, InputStream in, BlobRequestConditions conditions)
      throws IOException {
    MessageDigest whole = Md5.newDigest();
    byte[] first = in.readNBytes(BLOCK_BYTES);
    whole.update(first);
    byte[] next = first.length < BLOCK_BYTES ? new byte[0] : in.readNBytes(BLOCK_BYTES);
    if (next.length == 0) {
      byte[] md5 = whole.digest();
      putBlob(blob.getBlobName(), first, md5, conditions != null);
      return md5;
    }
    List<String> ids = new ArrayList<>();
    List<Future<?>> staged = new ArrayList<>();
    try {
      for (byte[] block = first; block.length > 0; ) {
        String id = Base64.getEncoder().encodeToString(
            String.format(Locale.ROOT, "%08d", ids.size()).getBytes(StandardCharsets.US_ASCII));
        ids.add(id);
        byte[] data = block;
        permits.acquire();
        staged.add(TransferPool.get().submit(() -> {
          try {
            blob.stageBlockWithResponse(new BlockBlobStageBlockOptions(id, BinaryData.fromBytes(data))
                .setContentMd5(validate ? Md5.of(data, data.length) : null), null, Context.NONE);
            return null;
          } finally {
            permits.release();
          }
        }));
        block = next;
        if (block.length > 0) {
          whole.update(block);
          next = block.length < BLOCK_BYTES ? new byte[0] : in.readNBytes(BLOCK_BYTES);
        }
      }
      for (Future<?> f : staged) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(e.getCause());
    } finally {
      staged.forEach(f -> f.cancel(true));
    }
    byte[] md5 = whole.digest();
    blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(ids)
        .setHeaders(new BlobHttpHeaders().setContentMd5(md5))
        .setRequestConditions(conditions), null, Context.NONE);
    return md5;
  }

  /** One Put Blob through {@link BlobHttp}: the file's bytes with its Content-MD5, conditional when asked. */
  private void putBlob(String blobName, byte[] content, byte[] md5, boolean onlyIfAbsent) throws IOException {
    String md5Base64 = Base64.getEncoder().encodeToString(md5);
    HttpRequest.Builder request = BlobHttp.request(access, blobName, RetryPolicy.DEFAULT.idleTimeout())
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content))
        .header("x-ms-blob-type", "BlockBlob")
        .header("x-ms-blob-content-md5", md5Base64);
    if (validate) {
      request.header("Content-MD5", md5Base64);
    }
    if (onlyIfAbsent) {
      request.header("If-None-Match", "*");
    }
    HttpRequest put = request.build();
    int status = RetryPolicy.DEFAULT.run(new TransferListener() { }, tryNumber ->
        BlobHttp.send(put, HttpResponse.BodyHandlers.discarding(), PUT_STATUSES, blobName)).statusCode();
    if (status != 201) {
      throw new AlreadyExists();
    }
  }

  /** A conditional write found the blob there: another writer's, kept. */
  private static final class AlreadyExists extends IOException {
    private static final long serialVersionUID = 1L;
  }

  private static BlobProperties propertiesOrNull(BlockBlobClient blob) {
    try {
      return blob.getProperties();
    } catch (BlobStorageException e) {
      if (e.getStatusCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  private static byte[] md5Of(Source source) throws IOException {
    MessageDigest md = Md5.newDigest();
    byte[] buf = new byte[256 * 1024];
    try (InputStream in = source.open()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return md.digest();
  }

  private static FileTransfer result(UploadItem item, String md5, TransferStatus status, boolean verified,
      String error) {
    return new FileTransfer(item.blobName(), item.source(), item.length(), md5, status, verified, error);
  }
}
