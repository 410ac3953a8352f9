package io.github.amlspark.config;

import io.github.amlspark.OverwriteMode;
import io.github.amlspark.transfer.BlobEntry;
import io.github.amlspark.transfer.RetryPolicy;
import java.io.Serializable;

/**
 * The parsed, validated settings that executors need to move files. Primitives only: it travels inside
 * every input partition.
 *
 * @param outputFolder where downloads land (local path or Hadoop URI), or null for a plain read
 * @param overwrite what to do with a destination that exists
 * @param validateChecksum whether every range is checked against its range MD5 (and the whole file
 *     against the blob's Content-MD5)
 * @param concurrency requests in flight per task
 * @param retry how every request is retried
 * @param checkMd5 whether the whole file is checked against the blob's Content-MD5 when it has one (always
 *     with {@code validateChecksum}, which checks every MD5)
 */
public record TransferSettings(String outputFolder, OverwriteMode overwrite, boolean validateChecksum,
    int concurrency, RetryPolicy retry, boolean checkMd5) implements Serializable {

  /** Settings with the default whole-file check ({@code checkMd5=true}). */
  public TransferSettings(String outputFolder, OverwriteMode overwrite, boolean validateChecksum,
      int concurrency, RetryPolicy retry) {
    this(outputFolder, overwrite, validateChecksum, concurrency, retry, true);
  }

  /** Largest range that Azure returns a range MD5 for; also the largest blob fetched with one GET. */
  public static final int MD5_RANGE_BYTES = 4 * 1024 * 1024;
  /** Range size when no range MD5 is asked for: fewer, larger requests cost the service less. */
  public static final int PLAIN_RANGE_BYTES = 16 * 1024 * 1024;
  /** Bytes of one large blob's ranges in flight in a task: bounds memory whatever the file size. */
  public static final int WINDOW_BYTES = 64 * 1024 * 1024;

  /**
   * @param blob a blob as listed
   * @return whether the MD5 of its bytes is computed: to compare with its Content-MD5, or because every
   *     range is validated
   */
  public boolean hashes(BlobEntry blob) {
    return validateChecksum || (checkMd5 && blob.contentMd5() != null);
  }

  /** @return the size of one ranged GET of a large blob under these settings */
  public int rangeBytes() {
    return validateChecksum ? MD5_RANGE_BYTES : PLAIN_RANGE_BYTES;
  }

  /** @return the ranges of one large blob kept in flight */
  public int rangesInFlight() {
    return Math.max(1, Math.min(concurrency, WINDOW_BYTES / rangeBytes()));
  }
}
