package io.github.amlspark.transfer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

/** The bytes of one file to upload, and what tells whether the file changes while it is read. */
public interface UploadSource {
  /**
   * @return a fresh stream of the content; called again when it must be read twice (ifDifferent)
   * @throws IOException when it cannot be opened
   */
  InputStream open() throws IOException;

  /**
   * @return the file's size and modification time now
   * @throws IOException when they cannot be read
   */
  Snapshot snapshot() throws IOException;

  /**
   * @param content bytes held in memory, which cannot change
   * @return a source of them
   */
  static UploadSource of(byte[] content) {
    Snapshot fixed = new Snapshot(content.length, Instant.EPOCH);
    return new UploadSource() {
      @Override
      public InputStream open() {
        return new ByteArrayInputStream(content);
      }

      @Override
      public Snapshot snapshot() {
        return fixed;
      }
    };
  }

  /**
   * A file's size and modification time: when either differs after the file was read, it changed.
   *
   * @param length size in bytes
   * @param modified last modification time
   */
  record Snapshot(long length, Instant modified) {
  }
}
