package io.github.amlspark;

import java.util.Objects;

/**
 * Settings of one transfer that the short API forms do not expose. Immutable: every setter returns a
 * copy. {@code TransferOptions.defaults().overwrite(OverwriteMode.IF_DIFFERENT).validateChecksum(true)}.
 */
public final class TransferOptions {
  private static final TransferOptions DEFAULTS = new TransferOptions(null, null, false, null);

  private final OverwriteMode overwrite;
  private final Boolean validateChecksum;
  private final boolean showProgress;
  private final String pathGlobFilter;

  private TransferOptions(OverwriteMode overwrite, Boolean validateChecksum, boolean showProgress,
      String pathGlobFilter) {
    this.overwrite = overwrite;
    this.validateChecksum = validateChecksum;
    this.showProgress = showProgress;
    this.pathGlobFilter = pathGlobFilter;
  }

  /** @return options that leave every setting to the operation's default */
  public static TransferOptions defaults() {
    return DEFAULTS;
  }

  /**
   * @param mode what to do with a destination that exists
   * @return a copy with that mode
   */
  public TransferOptions overwrite(OverwriteMode mode) {
    return new TransferOptions(Objects.requireNonNull(mode, "'mode' cannot be null."), validateChecksum,
        showProgress, pathGlobFilter);
  }

  /**
   * @param validate whether to check every byte against its MD5
   * @return a copy with that setting
   */
  public TransferOptions validateChecksum(boolean validate) {
    return new TransferOptions(overwrite, validate, showProgress, pathGlobFilter);
  }

  /**
   * @param show whether to show a progress bar on the driver's terminal
   * @return a copy with that setting
   */
  public TransferOptions showProgress(boolean show) {
    return new TransferOptions(overwrite, validateChecksum, show, pathGlobFilter);
  }

  /**
   * @param glob a glob on file names, as Spark's {@code pathGlobFilter}; null for every file
   * @return a copy with that filter
   */
  public TransferOptions pathGlobFilter(String glob) {
    return new TransferOptions(overwrite, validateChecksum, showProgress, glob);
  }

  /**
   * @param operationDefault the operation's own default
   * @return the overwrite mode set here, else the operation's default
   */
  public OverwriteMode overwriteOr(OverwriteMode operationDefault) {
    return overwrite != null ? overwrite : operationDefault;
  }

  /**
   * @param operationDefault the operation's own default
   * @return the checksum setting set here, else the operation's default
   */
  public boolean validateChecksumOr(boolean operationDefault) {
    return validateChecksum != null ? validateChecksum : operationDefault;
  }

  /** @return whether to show a progress bar */
  public boolean showProgress() {
    return showProgress;
  }

  /** @return the glob on file names, or null */
  public String pathGlobFilter() {
    return pathGlobFilter;
  }

  @Override
  public String toString() {
    return "TransferOptions(overwrite=" + overwrite + ", validateChecksum=" + validateChecksum
        + ", showProgress=" + showProgress + ", pathGlobFilter=" + pathGlobFilter + ")";
  }
}
