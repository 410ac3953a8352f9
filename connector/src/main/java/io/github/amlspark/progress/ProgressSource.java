package io.github.amlspark.progress;

/** What a {@link ProgressDisplay} reads: a transfer's files and bytes done so far. */
public interface ProgressSource {
  /** @return files finished, any status */
  long files();

  /** @return bytes written, plus the length of every skipped file */
  long bytes();
}
