package io.github.amlspark.coordination;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
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
 * request, so the output folder holds only the downloaded files. That state folder is created owner-only
 * and used only while it is this user's own folder, because whoever can write there can hand a waiting
 * caller a forged report; reports are plain JSON read into fixed types, never deserialised objects.
 */
public final class SharedDownload {
  private static final Logger LOGGER = LoggerFactory.getLogger(SharedDownload.class);
  private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static volatile UserPrincipal currentUser;

  private final Path stateFolder;
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
    this.stateFolder = stateFolder;
    this.lockFile = stateFolder.resolve(key + ".lock");
    this.startedMark = stateFolder.resolve(key + ".started");
    this.reportFile = stateFolder.resolve(key + ".report.json");
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
   * waits for it and returns its report. When the state folder cannot be used or trusted, this caller
   * downloads on its own, with a warning saying why.
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
    TransferReport finished = null;
    try {
      try {
        prepareStateFolder(stateFolder);
      } catch (IOException e) {
        // Coordination is an optimisation: without a folder of our own, this caller downloads alone.
        LOGGER.warn("Downloading without coordination with other processes on this machine (each transfers "
            + "on its own): {}", e instanceof UnsafeStateFolder ? e.getMessage() : "the download lock folder "
            + stateFolder + " cannot be used (" + e + "); check that java.io.tmpdir is a local folder this user "
            + "can write.");
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
          finished = download.apply(takeOver);
          writeReport(finished);
          return finished;
        } finally {
          // Only a process that dies leaves the mark behind; one that failed cleanly is not taken over.
          Files.deleteIfExists(startedMark);
        }
      }
    } catch (IOException e) {
      if (finished != null) {
        // The files are in place: losing the bookkeeping only makes the waiting callers download again.
        LOGGER.warn("The download finished, but its report could not be recorded in {} ({}); callers waiting "
            + "for it will run it again.", stateFolder, e.toString());
        return finished;
      }
      throw new UncheckedIOException("The download lock " + lockFile + " could not be used: " + e.getMessage(),
          e);
    } finally {
      jvmLock.unlock();
    }
  }

  /**
   * Creates the state folder owner-only, or checks the one that exists: a real folder (not a link) owned by
   * this user; looser permissions on it are tightened.
   *
   * @throws UnsafeStateFolder when it is not this user's own folder
   * @throws IOException when it cannot be created or read
   */
  private static void prepareStateFolder(Path folder) throws IOException {
    boolean posix = folder.getFileSystem().supportedFileAttributeViews().contains("posix");
    Files.createDirectories(folder.toAbsolutePath().getParent());
    try {
      if (posix) {
        Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } else {
        Files.createDirectory(folder);
      }
    } catch (FileAlreadyExistsException e) {
      // Someone made it first: checked below like any folder that was there.
    }
    String remedy = " Remove it (another user's folder needs its owner or an administrator), or point "
        + "java.io.tmpdir at a folder of your own, so that downloads on this machine can share one transfer.";
    BasicFileAttributes attributes = Files.readAttributes(folder, BasicFileAttributes.class,
        LinkOption.NOFOLLOW_LINKS);
    if (attributes.isSymbolicLink() || !attributes.isDirectory()) {
      throw new UnsafeStateFolder("the download lock folder " + folder + " is "
          + (attributes.isSymbolicLink() ? "a symbolic link, not a folder of its own." : "not a folder.")
          + remedy);
    }
    if (folder.getFileSystem().supportedFileAttributeViews().contains("owner")) {
      UserPrincipal owner = Files.getOwner(folder, LinkOption.NOFOLLOW_LINKS);
      UserPrincipal me = currentUser(folder.toAbsolutePath().getParent());
      if (!owner.equals(me)) {
        throw new UnsafeStateFolder("the download lock folder " + folder + " belongs to " + owner.getName()
            + ", not to this user (" + me.getName() + "), who could not trust what is in it." + remedy);
      }
    }
    if (posix && !Files.getPosixFilePermissions(folder, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
      Files.setPosixFilePermissions(folder, OWNER_ONLY);
      LOGGER.info("Made the download lock folder {} accessible to its owner only.", folder);
    }
  }

  /** A state folder that exists but is not ours to trust; the message says why and what to do. */
  private static final class UnsafeStateFolder extends IOException {
    private static final long serialVersionUID = 1L;

    UnsafeStateFolder(String message) {
      super(message);
    }
  }

  /**
   * @return the user this process creates files as (its effective user, which {@code user.name} need not
   *     name): the owner of a file it creates
   */
  private static UserPrincipal currentUser(Path writable) throws IOException {
    UserPrincipal known = currentUser;
    if (known == null) {
      Path probe = Files.createTempFile(writable, ".amlspark-owner-", "");
      try {
        known = Files.getOwner(probe, LinkOption.NOFOLLOW_LINKS);
      } finally {
        Files.deleteIfExists(probe);
      }
      currentUser = known;
    }
    return known;
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

  /**
   * The stored form of a report: one JSON object, read back into these fixed types only.
   *
   * @param finishedAt epoch microseconds
   * @param elapsedNanos the transfer's wall-clock time
   * @param files every file's outcome
   */
  record Stored(long finishedAt, long elapsedNanos, List<FileTransfer> files) {
  }

  private Recorded readReport() {
    Stored stored;
    try {
      stored = JSON.readValue(Files.readAllBytes(reportFile), Stored.class);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      // An unreadable report is no report: this caller downloads itself.
      LOGGER.debug("Ignoring the unreadable download report {}: {}", reportFile, e.toString());
      return null;
    }
    if (stored.files() == null || stored.files().stream().anyMatch(f -> f == null || f.path() == null
        || f.status() == null)) {
      return null;
    }
    return new Recorded(new TransferReport(stored.files(), Duration.ofNanos(stored.elapsedNanos())),
        stored.finishedAt());
  }

  private void writeReport(TransferReport report) throws IOException {
    Path temp = reportFile.resolveSibling(reportFile.getFileName() + ".tmp");
    Files.write(temp, JSON.writeValueAsBytes(new Stored(nowMicros(), report.elapsed().toNanos(),
        report.files())));
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
