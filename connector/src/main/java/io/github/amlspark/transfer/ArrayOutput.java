package io.github.amlspark.transfer;

import java.io.OutputStream;

/** An output stream into a fixed array: no growing, no copy, and an error instead of an overflow. */
final class ArrayOutput extends OutputStream {
  private final byte[] buffer;
  private final int limit;
  private int count;

  /**
   * @param buffer where bytes go
   * @param limit how many bytes may be written
   */
  ArrayOutput(byte[] buffer, int limit) {
    this.buffer = buffer;
    this.limit = limit;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  /** @throws IllegalStateException when more than {@code limit} bytes arrive */
  @Override
  public void write(byte[] b, int off, int len) {
    if (count + len > limit) {
      throw new IllegalStateException("received more than the " + limit + " bytes asked for");
    }
    System.arraycopy(b, off, buffer, count, len);
    count += len;
  }
}
