package io.github.amlspark.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where the upload engine writes blobs: one request of the Blob service per call, one try each. A call
 * ends normally, or throws a {@link TransientFailure} (another try may succeed: the engine's
 * {@link RetryPolicy} retries it), a {@link RequestRefusedException} (the service said no) or another
 * {@link IOException}.
 */
public interface BlobWriter {
  /**
   * Put Blob: a whole small blob at once.
   *
   * @param blobName the blob
   * @param content its bytes
   * @param md5 their MD5, stored as the blob's Content-MD5
   * @param checkInTransit also send the MD5 for the service to check on arrival
   * @param ifAbsent write only if no blob of that name exists ({@code If-None-Match: *})
   * @throws IOException when the try fails
   */
  void putBlob(String blobName, byte[] content, byte[] md5, boolean checkInTransit, boolean ifAbsent)
      throws IOException;

  /**
   * Put Blob of a body streamed from its source, with the whole body's MD5 sent for the service to check
   * on arrival ({@code Content-MD5}) and stored as the blob's Content-MD5: a body that is not the bytes
   * the MD5 was computed over is refused (400 Md5Mismatch) and writes nothing.
   *
   * @param blobName the blob
   * @param body opens the body afresh for each try; it yields at most {@code length} bytes
   * @param length the body's length (Content-Length)
   * @param md5 the body's expected MD5
   * @param ifAbsent write only if no blob of that name exists ({@code If-None-Match: *})
   * @throws IOException when the try fails
   */
  void putBlob(String blobName, Supplier<InputStream> body, long length, byte[] md5, boolean ifAbsent)
      throws IOException;

  /**
   * Put Block: stages one block, which is not part of any blob until a commit names it.
   *
   * @param blobName the blob
   * @param blockId the block's id (base64, of one length within a blob)
   * @param data the block's bytes
   * @param md5 their MD5 for the service to check on arrival, or null
   * @throws IOException when the try fails
   */
  void stageBlock(String blobName, String blockId, byte[] data, byte[] md5) throws IOException;

  /**
   * Put Block List: makes the blob the named staged blocks, in order.
   *
   * @param blobName the blob
   * @param blockIds the blocks, in order
   * @param md5 the whole content's MD5, stored as the blob's Content-MD5
   * @param ifAbsent commit only if no blob of that name exists ({@code If-None-Match: *})
   * @throws IOException when the try fails
   */
  void commitBlocks(String blobName, List<String> blockIds, byte[] md5, boolean ifAbsent) throws IOException;

  /**
   * Get Blob Properties.
   *
   * @param blobName the blob
   * @return its length and Content-MD5, or null when there is no such blob
   * @throws IOException when the try fails
   */
  BlobState properties(String blobName) throws IOException;

  /**
   * A blob as the service holds it.
   *
   * @param length its length
   * @param contentMd5 its Content-MD5, or null when it has none
   */
  record BlobState(long length, byte[] contentMd5) {
  }
}
