package io.github.amlspark.coordination;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One download per machine, amlspark's answer to hi-ml's "local rank 0 downloads, the others wait":
 * processes and threads asking for the same download into the same local folder take turns on an OS file
 * lock (threads of one JVM first queue on an in-JVM lock, since a JVM can hold an OS lock only once). The
 * first does the transfer and records its report; those that were waiting meanwhile return that report
 * without transferring anything. The OS releases the lock of a process that dies, so a dead holder never
 * blocks the others: the next one finds the holder's "started" mark without a report and takes over,
 * finishing only what is missing (files already complete and verified are kept).
 *
 * <p>The lock and marks live in the machine's temporary folder, keyed by a hash of the folder and the
 * request, so the output folder holds only the downloaded files.
 */
public final class SharedDownload {
  private static final Logger LOGGER = LoggerFactory.getLogger(SharedDownload.class);
  private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path lockFile;
  private final Path startedMark;
  private final Path reportFile;

  /**
   * @param stateFolder where locks and marks live (shared by every process of the machine)
   * @param outputFolder the local output folder
   * @param request everything that makes two downloads the same one (source, prefix, options)
   */
  public SharedDownload(Path stateFolder, Path outputFolder, String request) {
    String key = sha256(outputFolder.toAbsolutePath().normalize() + "\n" + request);
    this.lockFile = stateFolder.resolve(key + ".lock");
    this.startedMark = stateFolder.resolve(key + ".started");
    this.reportFile = stateFolder.resolve(key + ".report");
  }

  /**
   * @return the machine-wide folder for this user's download locks:
   *     {@code <java.io.tmpdir>/amlspark-downloads-<user>} (per user, so that one user's lock files never
   *     stand in another's way)
   */
  public static Path defaultStateFolder() {
    return Path.of(System.getProperty("java.io.tmpdir"),
        "amlspark-downloads-" + System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_"));
  }

  /**
   * Runs the download unless another caller on this machine is running the same one, in which case this
   * waits for it and returns its report.
   *
   * @param download runs the transfer; its argument says whether it takes over from a holder that died
   *     (and should then keep files already complete)
   * @return the report of the transfer this caller ran or waited for
   */
  public TransferReport run(Function<Boolean, TransferReport> download) {
    long arrived = nowMicros();
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, f -> new ReentrantLock());
    // Only a caller that had to wait shares another's report; one that finds the lock free downloads.
    boolean waited = !jvmLock.tryLock();
    if (waited) {
      jvmLock.lock();
    }
    try {
      try {
        Files.createDirectories(lockFile.getParent());
      } catch (IOException e) {
        // Coordination is an optimisation: without a usable lock folder, this caller downloads alone.
        LOGGER.warn("The download lock folder {} cannot be used ({}); downloading without coordination.",
            lockFile.getParent(), e.toString());
        return download.apply(false);
      }
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          Held lock = lock(channel)) {
        waited |= lock.waited();
        Recorded done = waited ? readReport() : null;
        if (done != null && done.finishedAt() > arrived) {
          LOGGER.info("The same download into this folder was running on this machine; using its report.");
          return done.report();
        }
        boolean takeOver = Files.exists(startedMark);
        if (takeOver) {
          LOGGER.warn("A download into this folder stopped before finishing (its process ended); finishing "
              + "what it left.");
        }
        Files.writeString(startedMark, String.valueOf(ProcessHandle.current().pid()));
        try {
          TransferReport report = download.apply(takeOver);
          writeReport(report);
          return report;
        } finally {
          // Only a process that dies leaves the mark behind; one that failed cleanly is not taken over.
          Files.deleteIfExists(startedMark);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("The download lock " + lockFile + " could not be used: " + e.getMessage(),
          e);
    } finally {
      jvmLock.unlock();
    }
  }

  /** The OS lock, and whether another process held it when asked. */
  private record Held(FileLock lock, boolean waited) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      lock.release();
    }
  }

  private static Held lock(FileChannel channel) throws IOException {
    FileLock free = channel.tryLock();
    return free != null ? new Held(free, false) : new Held(channel.lock(), true);
  }

  private static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /** A finished download's report and when it finished (epoch microseconds). */
  private record Recorded(TransferReport report, long finishedAt) {
  }

  private Recorded readReport() {
    if (!Files.exists(reportFile)) {
      return null;
    }
    try (InputStream in = Files.newInputStream(reportFile); ObjectInputStream objects = new ObjectInputStream(in)) {
      long finishedAt = objects.readLong();
      Duration elapsed = Duration.ofNanos(objects.readLong());
      List<FileTransfer> files = new ArrayList<>();
      for (int n = objects.readInt(); n > 0; n--) {
        files.add((FileTransfer) objects.readObject());
      }
      return new Recorded(new TransferReport(files, elapsed), finishedAt);
    } catch (IOException | ClassNotFoundException | ClassCastException e) {
      // An unreadable report is no report: this caller downloads itself.
      return null;
    }
  }

  private void writeReport(TransferReport report) throws IOException {
    Path temp = reportFile.resolveSibling(reportFile.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(temp); ObjectOutputStream objects = new ObjectOutputStream(out)) {
      objects.writeLong(nowMicros());
      objects.writeLong(report.elapsed().toNanos());
      objects.writeInt(report.files().size());
      for (FileTransfer f : report.files()) {
        objects.writeObject(f);
      }
    }
    try {
      Files.move(temp, reportFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, reportFile, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
