package io.github.amlspark.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** MD5 helpers: the digest Azure Blob Storage uses for Content-MD5 and range MD5s. */
public final class Md5 {
  private Md5() {
  }

  /** @return a new MD5 digest */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("This JVM has no MD5", e);
    }
  }

  /**
   * @param data bytes
   * @param length how many of them, from the start
   * @return their MD5
   */
  public static byte[] of(byte[] data, int length) {
    MessageDigest md = newDigest();
    md.update(data, 0, length);
    return md.digest();
  }

  /**
   * @param in bytes to hash, read to their end (not closed)
   * @return their MD5
   * @throws IOException when they cannot be read
   */
  public static byte[] of(InputStream in) throws IOException {
    MessageDigest md = newDigest();
    byte[] buf = new byte[256 * 1024];
    for (int n; (n = in.read(buf)) > 0; ) {
      md.update(buf, 0, n);
    }
    return md.digest();
  }

  /**
   * @param digest raw MD5 bytes, or null
   * @return lowercase hex, or null
   */
  public static String hex(byte[] digest) {
    return digest == null ? null : HexFormat.of().formatHex(digest);
  }
}
