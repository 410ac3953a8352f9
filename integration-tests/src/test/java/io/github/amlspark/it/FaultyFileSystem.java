package io.github.amlspark.it;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.sql.SparkSession;

/**
 * The local disk as a Hadoop file system under the {@code amlfaulty:} scheme, the path every non-local
 * URI (hdfs://, abfss://, dbfs:/) takes. Files whose names end in {@code .fail} break after
 * {@link #GOOD_BYTES}; those ending in {@code .hang} stall there until interrupted (or 60 s pass); those
 * ending in {@code .grow} grow by {@link #GROWTH} bytes there, once, as a checkpoint still being written would;
 * those ending in {@code .swap} yield other bytes of the same size from their second open on, as a file
 * rewritten within its modification time's resolution would.
 */
public class FaultyFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "amlfaulty";
  /** Bytes a faulty file yields before it breaks: more than one 4 MiB block. */
  static final long GOOD_BYTES = 6L * 1024 * 1024;
  /** Bytes a growing file gains once {@link #GOOD_BYTES} have been read. */
  static final int GROWTH = 1024 * 1024;

  /** How often each {@code .swap} file was opened. */
  private static final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> SWAP_OPENS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Makes the scheme reachable from the session's Hadoop configuration, as a user would at runtime. */
  static void register(SparkSession spark) {
    spark.conf().set("fs." + SCHEME + ".impl", FaultyFileSystem.class.getName());
    spark.conf().set("fs." + SCHEME + ".impl.disable.cache", "true");
  }

  /** @return the URI of a local path under this scheme */
  static String uri(java.nio.file.Path local) {
    return SCHEME + "://" + local.toAbsolutePath();
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  // RawLocalFileSystem's own statuses load permissions through java.io.File(URI), which takes file: URIs
  // only; plain statuses are what a remote file system returns anyway.
  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    return plain(super.getFileStatus(f));
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    FileStatus[] statuses = super.listStatus(f);
    for (int i = 0; i < statuses.length; i++) {
      statuses[i] = plain(statuses[i]);
    }
    return statuses;
  }

  private static FileStatus plain(FileStatus s) {
    return new FileStatus(s.getLen(), s.isDirectory(), s.getReplication(), s.getBlockSize(),
        s.getModificationTime(), s.getPath());
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    FSDataInputStream in = super.open(f, bufferSize);
    String name = f.getName();
    if (name.endsWith(".grow")) {
      return new FSDataInputStream(new Growing(in, pathToFile(f).toPath()));
    }
    if (name.endsWith(".swap") && SWAP_OPENS.computeIfAbsent(f.toUri().getPath(),
        p -> new java.util.concurrent.atomic.AtomicInteger()).getAndIncrement() > 0) {
      return new FSDataInputStream(new Swapped(in));
    }
    if (!name.endsWith(".fail") && !name.endsWith(".hang")) {
      return in;
    }
    return new FSDataInputStream(new Breaking(in, name.endsWith(".hang")));
  }

  /** A stream over a local file's stream; subclasses decide what {@code read} does. */
  private abstract static class Wrapped extends FSInputStream {
    final FSDataInputStream in;

    Wrapped(FSDataInputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public void seek(long pos) throws IOException {
      in.seek(pos);
    }

    @Override
    public long getPos() throws IOException {
      return in.getPos();
    }

    @Override
    public boolean seekToNewSource(long targetPos) throws IOException {
      return in.seekToNewSource(targetPos);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Passes {@link #GOOD_BYTES} through, then appends {@link #GROWTH} bytes to the file and reads on. */
  private static final class Growing extends Wrapped {
    private final java.nio.file.Path file;
    private boolean grown;

    Growing(FSDataInputStream in, java.nio.file.Path file) {
      super(in);
      this.file = file;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      long pos = in.getPos();
      if (pos >= GOOD_BYTES && !grown) {
        grown = true;
        java.nio.file.Files.write(file, new byte[GROWTH], java.nio.file.StandardOpenOption.APPEND);
      }
      return in.read(b, off, grown ? len : (int) Math.min(len, GOOD_BYTES - pos));
    }
  }

  /** The file's bytes, each inverted. */
  private static final class Swapped extends Wrapped {
    Swapped(FSDataInputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      for (int i = off; i < off + n; i++) {
        b[i] = (byte) ~b[i];
      }
      return n;
    }
  }

  /** Passes {@link #GOOD_BYTES} through, then fails or stalls. */
  private static final class Breaking extends Wrapped {
    private final boolean hang;

    Breaking(FSDataInputStream in, boolean hang) {
      super(in);
      this.hang = hang;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      long pos = in.getPos();
      if (pos >= GOOD_BYTES) {
        if (hang) {
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            throw new InterruptedIOException("read interrupted at byte " + pos);
          }
        }
        throw new IOException("injected read failure at byte " + pos);
      }
      return in.read(b, off, (int) Math.min(len, GOOD_BYTES - pos));
    }
  }
}
