package io.github.amlspark.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.amlspark.FileTransfer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Shared helpers of the transfer tests. */
final class TransferTestSupport {
  static final int MIB = 1024 * 1024;
  /** The default policy's shape with millisecond delays, so that failing tests stay fast. */
  static final RetryPolicy FAST_RETRY = new RetryPolicy(4, 1, 5, 10_000, 5_000);

  private TransferTestSupport() {
  }

  static byte[] bytes(int length, long seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String md5Hex(byte[] content) {
    return Md5.hex(Md5.of(content, content.length));
  }

  /** A blob whose listed Content-MD5 is the true one. */
  static BlobEntry blob(String name, byte[] content) {
    return blob(name, content, md5Hex(content));
  }

  static BlobEntry blob(String name, byte[] content, String contentMd5) {
    return new BlobEntry("container-root/" + name, name, content.length, 1_700_000_000_000L, contentMd5,
        "\"0x8DC" + Integer.toHexString(name.hashCode()) + "\"");
  }

  static <R> List<R> drain(TransferPipeline<R> pipeline) {
    try (pipeline) {
      List<R> out = new ArrayList<>();
      while (pipeline.hasNext()) {
        out.add(pipeline.next());
      }
      return out;
    }
  }

  /** Every regular file under the folder, relative, with '/' separators. */
  static List<String> filesUnder(Path folder) {
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(Files::isRegularFile).map(p -> folder.relativize(p).toString().replace('\\', '/'))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void assertNoTempFiles(Path folder) {
    List<String> temps = filesUnder(folder).stream().filter(f -> f.endsWith(".amlspark.tmp")).toList();
    assertEquals(List.of(), temps, "temporary files left behind");
  }

  /** The local path of a FileTransfer's {@code file}. */
  static Path localFile(FileTransfer t) {
    return Path.of(new org.apache.hadoop.fs.Path(t.file()).toUri().getPath());
  }

  /** Records what a transfer reports. */
  static final class RecordingListener implements TransferListener {
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger retries = new AtomicInteger();
    final List<FileTransfer> done = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public void bytesTransferred(long count) {
      bytes.addAndGet(count);
    }

    @Override
    public void retried() {
      retries.incrementAndGet();
    }

    @Override
    public void fileDone(FileTransfer result) {
      done.add(result);
    }
  }
}
