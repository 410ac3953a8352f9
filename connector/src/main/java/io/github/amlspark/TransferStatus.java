package io.github.amlspark;

/** Outcome of one file's transfer. */
public enum TransferStatus {
  /** The file was copied and, when asked, verified. */
  TRANSFERRED,
  /** The destination already existed and the overwrite mode said to keep it. */
  SKIPPED,
  /** The file could not be copied; {@link FileTransfer#error()} says why. Nothing was left at its path. */
  FAILED
}
