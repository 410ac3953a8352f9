package io.github.amlspark.transfer;

import io.github.amlspark.config.TransferSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Reads whole blobs into memory for the {@code content} column, several at a time and in blob order, at
 * most {@code concurrency} finished blobs waiting for the consumer.
 */
public final class ContentReader {
  /** The largest content a Spark binary value can hold. */
  public static final long MAX_CONTENT_BYTES = Integer.MAX_VALUE - 16;
  private static final int FILE_ATTEMPTS = 2;

  private final TransferSettings settings;
  private final Semaphore permits;
  private final BlobCopier copier;

  /**
   * @param source where bytes come from
   * @param settings checksum and concurrency settings
   * @param listener hears about progress
   */
  public ContentReader(RangeSource source, TransferSettings settings, TransferListener listener) {
    this.settings = settings;
    this.permits = new Semaphore(settings.concurrency());
    this.copier = new BlobCopier(source, settings, listener, permits);
  }

  /**
   * @param blobs the task's blobs, none above {@link #MAX_CONTENT_BYTES}
   * @return each blob's bytes, in blob order; close it to cancel what is still running
   * @throws UncheckedIOException from {@code next()} when a blob cannot be read
   */
  public TransferPipeline<byte[]> read(List<BlobEntry> blobs) {
    return new TransferPipeline<>(blobs, this::readOne, copier::isSmall, permits, settings.concurrency());
  }

  private byte[] readOne(BlobEntry blob) {
    if (blob.length() > MAX_CONTENT_BYTES) {
      throw new IllegalArgumentException(tooLarge(blob));
    }
    try {
      for (int attempt = 1; ; attempt++) {
        byte[] content = new byte[(int) blob.length()];
        try {
          copier.copy(blob, new ArrayOutput(content, content.length), null, () -> { });
          return content;
        } catch (ChecksumMismatch e) {
          if (attempt >= FILE_ATTEMPTS) {
            throw e;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Reading " + blob.path() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * @param blob a blob too large for the {@code content} column
   * @return the error that says to download it instead
   */
  public static String tooLarge(BlobEntry blob) {
    return "Blob " + blob.path() + " is " + blob.length() + " bytes, more than a Spark binary value can "
        + "hold (2 GiB). Download it with the 'outputFolder' option instead, or leave the 'content' column "
        + "out of the query.";
  }

}
