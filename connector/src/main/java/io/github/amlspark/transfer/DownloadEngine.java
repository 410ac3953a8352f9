package io.github.amlspark.transfer;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.config.TransferSettings;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Downloads one task's blobs into an {@link OutputFolder} with up to {@code concurrency} GETs in flight.
 * Each file is written under a temporary name, verified (its MD5 against the blob's Content-MD5 by default,
 * and every range against its range MD5 with {@code validateChecksum}), forced to disk, and only then
 * renamed to its final path. Memory
 * is bounded by the task's permits (small blobs) and a large blob's window, whatever the file sizes.
 * Spark-free.
 */
public final class DownloadEngine {
  /** How every checksum failure's error starts, so that callers can tell them from other failures. */
  public static final String CHECKSUM_MISMATCH = "Checksum mismatch";

  /**
   * @param result a file's outcome
   * @return whether it FAILED on a checksum mismatch (its error starts with {@link #CHECKSUM_MISMATCH})
   */
  public static boolean failedChecksum(FileTransfer result) {
    return result.status() == TransferStatus.FAILED && result.error() != null
        && result.error().startsWith(CHECKSUM_MISMATCH);
  }
  private static final int FILE_ATTEMPTS = 2;
  // Download results are small: let every small blob of the task run ahead.
  private static final int UNBOUNDED = Integer.MAX_VALUE;

  private final OutputFolder output;
  private final TransferSettings settings;
  private final TransferListener listener;
  private final Semaphore permits;
  private final BlobCopier copier;

  /**
   * @param source where bytes come from
   * @param output where files land
   * @param settings overwrite, checksum and concurrency settings
   * @param listener hears about progress
   */
  public DownloadEngine(RangeSource source, OutputFolder output, TransferSettings settings,
      TransferListener listener) {
    this.output = output;
    this.settings = settings;
    this.listener = listener;
    this.permits = new Semaphore(settings.concurrency());
    this.copier = new BlobCopier(source, settings, listener, permits);
  }

  /**
   * @param blobs the task's blobs
   * @return each blob's outcome, in blob order; a failed file is a FAILED result, never an exception.
   *     Close it to cancel what is still running.
   */
  public TransferPipeline<FileTransfer> download(List<BlobEntry> blobs) {
    return new TransferPipeline<>(blobs, this::transfer, copier::isSmall, permits, UNBOUNDED);
  }

  /**
   * Makes the renames of every file downloaded so far survive a crash (their content was forced before
   * each rename). Call it once the pipeline is drained, before the task reports success.
   *
   * @throws IOException when the output folder cannot be forced
   */
  public void finish() throws IOException {
    output.syncFolders();
  }

  private FileTransfer transfer(BlobEntry blob) {
    String file = null;
    try {
      String relative = OutputPaths.relativeFile(blob.path());
      file = output.location(relative);
      OutputFolder.Existing existing = output.existing(relative);
      if (existing != null) {
        if (existing.directory()) {
          return folderInTheWay(blob, file);
        }
        if (settings.overwrite() == OverwriteMode.NEVER) {
          return done(blob, file, TransferStatus.SKIPPED, false, null);
        }
        if (settings.overwrite() == OverwriteMode.IF_DIFFERENT && blob.contentMd5() != null
            && existing.length() == blob.length() && blob.contentMd5().equals(Md5.hex(output.md5(relative)))) {
          return done(blob, file, TransferStatus.SKIPPED, true, null);
        }
      }
      String lastMismatch = null;
      for (int attempt = 1; attempt <= FILE_ATTEMPTS; attempt++) {
        try (OutputFolder.Staged staged = output.stage(relative)) {
          byte[] md5 = copier.copy(blob, staged.out(), staged.positional(), staged::forceAhead);
          if (!staged.commit(settings.overwrite() != OverwriteMode.NEVER)) {
            return done(blob, file, TransferStatus.SKIPPED, false, null);
          }
          // Verified exactly when an MD5 of the bytes written was compared; it is then the one reported.
          boolean verified = md5 != null;
          FileTransfer result = new FileTransfer(blob.path(), file, blob.length(),
              verified ? Md5.hex(md5) : blob.contentMd5(), TransferStatus.TRANSFERRED, verified, null);
          listener.fileDone(result);
          return result;
        } catch (ChecksumMismatch e) {
          lastMismatch = e.getMessage();
          listener.retried();
        }
      }
      return done(blob, file, TransferStatus.FAILED, false,
          lastMismatch + ". The corrupt file was not written; run the transfer again.");
    } catch (IllegalArgumentException e) {
      return done(blob, file, TransferStatus.FAILED, false, e.getMessage());
    } catch (IOException | RuntimeException e) {
      return done(blob, file, TransferStatus.FAILED, false,
          "Download of " + blob.path() + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private FileTransfer folderInTheWay(BlobEntry blob, String file) {
    return done(blob, file, TransferStatus.FAILED, false, OutputFolder.folderInTheWay(file));
  }

  private FileTransfer done(BlobEntry blob, String file, TransferStatus status, boolean verified,
      String error) {
    FileTransfer result = new FileTransfer(blob.path(), file, blob.length(), blob.contentMd5(), status,
        verified, error);
    listener.fileDone(result);
    return result;
  }
}
