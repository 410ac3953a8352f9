package io.github.amlspark.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferReport;
import io.github.amlspark.TransferStatus;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedDownloadTest {
  @TempDir
  Path dir;

  private SharedDownload shared(String request) {
    return new SharedDownload(dir.resolve("state"), dir.resolve("out"), request);
  }

  private static TransferReport report(String path) {
    return new TransferReport(List.of(new FileTransfer(path, "/out/" + path, 1, null, TransferStatus.TRANSFERRED,
        false, null)), Duration.ofMillis(5));
  }

  @Test
  void aCallerThatWaitedReturnsTheHoldersReportWithoutDownloading() throws Exception {
    AtomicInteger downloads = new AtomicInteger();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Future<TransferReport> holder = pool.submit(() -> shared("r").run(takeOver -> {
      downloads.incrementAndGet();
      holding.countDown();
      await(release);
      return report("a.txt");
    }));
    assertTrue(holding.await(10, TimeUnit.SECONDS));
    Future<TransferReport> waiter = pool.submit(() -> shared("r").run(takeOver -> {
      downloads.incrementAndGet();
      return report("other.txt");
    }));
    Thread.sleep(200);
    release.countDown();
    assertEquals(holder.get(10, TimeUnit.SECONDS).files(), waiter.get(10, TimeUnit.SECONDS).files());
    assertEquals(1, downloads.get());
    pool.shutdown();
  }

  @Test
  void aCallerThatFindsTheLockFreeDownloadsEvenAfterAnEarlierOne() {
    List<Boolean> takeOvers = new ArrayList<>();
    assertEquals("a.txt", shared("r").run(t -> {
      takeOvers.add(t);
      return report("a.txt");
    }).files().get(0).path());
    assertEquals("b.txt", shared("r").run(t -> {
      takeOvers.add(t);
      return report("b.txt");
    }).files().get(0).path());
    assertEquals(List.of(false, false), takeOvers);
  }

  @Test
  void aHolderThatDiedIsTakenOverAndOneThatFailedCleanlyIsNot() throws Exception {
    // A process that died leaves its "started" mark; the lock itself went with the process.
    shared("r").run(t -> report("first.txt"));
    Path started;
    try (Stream<Path> files = Files.list(dir.resolve("state"))) {
      started = files.filter(p -> p.toString().endsWith(".lock")).findFirst().orElseThrow();
    }
    Files.writeString(started.resolveSibling(started.getFileName().toString().replace(".lock", ".started")), "1");
    List<Boolean> takeOvers = new ArrayList<>();
    shared("r").run(t -> {
      takeOvers.add(t);
      return report("x");
    });
    assertThrows(IllegalStateException.class, () -> shared("r").run(t -> {
      takeOvers.add(t);
      throw new IllegalStateException("no files");
    }));
    shared("r").run(t -> {
      takeOvers.add(t);
      return report("y");
    });
    assertEquals(List.of(true, false, false), takeOvers);
  }

  @Test
  void differentRequestsDoNotShare() throws Exception {
    AtomicInteger downloads = new AtomicInteger();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<TransferReport> first = pool.submit(() -> shared("r1").run(t -> {
        downloads.incrementAndGet();
        holding.countDown();
        await(release);
        return report("first.txt");
      }));
      assertTrue(holding.await(10, TimeUnit.SECONDS));
      // While r1 holds its lock, r2 runs to the end on its own: it neither waits for r1 nor gets its report.
      Future<TransferReport> second = pool.submit(() -> shared("r2").run(t -> {
        downloads.incrementAndGet();
        return report("second.txt");
      }));
      assertEquals("second.txt", second.get(10, TimeUnit.SECONDS).files().get(0).path(),
          "r2 finished while r1 was still running");
      assertFalse(first.isDone());
      release.countDown();
      assertEquals("first.txt", first.get(10, TimeUnit.SECONDS).files().get(0).path());
      assertEquals(2, downloads.get());
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
    assertFalse(dir.resolve("out").toFile().exists(), "nothing is written into the output folder");
  }

  // ---------------------------------------------------------------- the state folder

  @Test
  void theStateFolderIsCreatedOwnerOnly() throws Exception {
    Path state = dir.resolve("state");
    assertFalse(Files.exists(state));
    shared("r").run(t -> report("a.txt"));
    assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(state));
    assertTrue(hasLockFile(state), "the download was coordinated");
  }

  @Test
  void aStateFolderOfOursWithLooserPermissionsIsTightened() throws Exception {
    Path state = Files.createDirectory(dir.resolve("state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
    shared("r").run(t -> report("a.txt"));
    assertEquals(OWNER_ONLY, Files.getPosixFilePermissions(state));
    assertTrue(hasLockFile(state), "the download was coordinated");
  }

  @Test
  void aStateFolderOwnedBySomeoneElseIsNotUsedAndTheCallerDownloadsAlone() throws Exception {
    Path state = Files.createDirectory(dir.resolve("state"));
    UserPrincipal nobody = state.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    try {
      Files.setOwner(state, nobody);
    } catch (IOException e) {
      Assumptions.abort("making a folder another user's needs root: " + e);
    }
    List<Boolean> takeOvers = new ArrayList<>();
    List<String> warnings = warnings(() -> assertEquals("a.txt", shared("r").run(t -> {
      takeOvers.add(t);
      return report("a.txt");
    }).files().get(0).path()));
    assertEquals(List.of(false), takeOvers);
    assertEquals(List.of(), filesIn(state), "nothing was written into the other user's folder");
    assertEquals(nobody, Files.getOwner(state));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains(state + " belongs to nobody"), warnings.get(0));
    assertTrue(warnings.get(0).contains("java.io.tmpdir"), "says what to do: " + warnings.get(0));
  }

  @Test
  void aStateFolderThatIsASymbolicLinkIsNotFollowed() throws Exception {
    Path target = Files.createDirectory(dir.resolve("elsewhere"));
    Path state = Files.createSymbolicLink(dir.resolve("state"), target);
    List<String> warnings = warnings(() -> assertEquals("a.txt", shared("r").run(t -> report("a.txt"))
        .files().get(0).path()));
    assertEquals(List.of(), filesIn(target), "nothing was written through the link");
    assertTrue(Files.isSymbolicLink(state));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("symbolic link"), warnings.get(0));
  }

  @Test
  void aDownloadThatSucceededIsNotFailedWhenItsReportCannotBeWritten() throws Exception {
    Path state = dir.resolve("state");
    // After the lock is taken, the state folder is replaced by a file: the report and the mark cannot be
    // written or removed there.
    List<String> warnings = warnings(() -> assertEquals("a.txt", shared("r").run(t -> {
      try {
        Files.move(state, dir.resolve("state-moved"));
        Files.writeString(state, "not a folder");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return report("a.txt");
    }).files().get(0).path()));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("could not be recorded"), warnings.get(0));
    // The next caller finds a file where the folder should be, and downloads alone.
    List<Boolean> takeOvers = new ArrayList<>();
    assertEquals("b.txt", shared("r").run(t -> {
      takeOvers.add(t);
      return report("b.txt");
    }).files().get(0).path());
    assertEquals(List.of(false), takeOvers);
  }

  // ---------------------------------------------------------------- the stored report

  /** Set when a {@link Gadget} is deserialised: what a Java-serialization reader does with any class. */
  static final AtomicBoolean GADGET_RAN = new AtomicBoolean();

  /** A serializable class whose deserialisation has a side effect, as an attacker's gadget would. */
  static final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      GADGET_RAN.set(true);
    }
  }

  private static byte[] javaSerialized() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeLong(Long.MAX_VALUE);
      out.writeLong(5);
      out.writeInt(1);
      out.writeObject(new Gadget());
    }
    return bytes.toByteArray();
  }

  private static final String FAR_FUTURE = String.valueOf(Long.MAX_VALUE / 2);

  private static String storedReport(String status) {
    return "{\"finishedAt\":" + FAR_FUTURE + ",\"elapsedNanos\":5000000,\"files\":[{\"path\":\"theirs.txt\","
        + "\"file\":\"/out/theirs.txt\",\"length\":1,\"contentMd5\":null,\"status\":\"" + status + "\","
        + "\"checksumVerified\":false,\"error\":null}]}";
  }

  @Test
  void aWaiterUsesAWellFormedReportThatAnotherProcessLeft() throws Exception {
    // The control for the test below: the same set-up with a report in the stored format is shared.
    List<Boolean> ran = new ArrayList<>();
    TransferReport report = waitBehindAnotherProcess(storedReport("TRANSFERRED").getBytes(StandardCharsets.UTF_8),
        ran);
    assertEquals(List.of(), ran, "the waiter did not download");
    assertEquals("theirs.txt", report.files().get(0).path());
    assertEquals(TransferStatus.TRANSFERRED, report.files().get(0).status());
  }

  @Test
  void aReportThatDoesNotParseIsNoReportAndIsNeverDeserialisedIntoObjects() throws Exception {
    byte[] garbage = new byte[512];
    new Random(7).nextBytes(garbage);
    List<byte[]> unreadable = List.of(garbage, javaSerialized(),
        storedReport("DONE").getBytes(StandardCharsets.UTF_8),
        (storedReport("TRANSFERRED") + "{").getBytes(StandardCharsets.UTF_8),
        storedReport("TRANSFERRED").replace("\"path\":\"theirs.txt\",", "").getBytes(StandardCharsets.UTF_8));
    for (byte[] content : unreadable) {
      List<Boolean> ran = new ArrayList<>();
      TransferReport report = waitBehindAnotherProcess(content, ran);
      String what = new String(content, StandardCharsets.ISO_8859_1);
      assertEquals(List.of(false), ran, "the waiter downloaded itself: " + what);
      assertEquals("mine.txt", report.files().get(0).path(), what);
    }
    assertFalse(GADGET_RAN.get(), "a Java-serialized report was deserialised");
  }

  /**
   * Another process ({@link LockHolder}) takes the lock of request "r" and leaves {@code stored} as its
   * report; this JVM's caller waits for it and returns what it then finds.
   */
  private TransferReport waitBehindAnotherProcess(byte[] stored, List<Boolean> ran) throws Exception {
    shared("r").run(t -> report("first.txt"));
    Path lock;
    try (Stream<Path> files = Files.list(dir.resolve("state"))) {
      lock = files.filter(p -> p.toString().endsWith(".lock")).findFirst().orElseThrow();
    }
    Path reportFile = lock.resolveSibling(lock.getFileName().toString().replace(".lock", ".report.json"));
    Path content = Files.write(dir.resolve("content"), stored);
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath, LockHolder.class.getName(), lock.toString(), reportFile.toString(), content.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream(),
          StandardCharsets.UTF_8));
      assertEquals("locked", said.readLine(), "the other process took the lock");
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        Future<TransferReport> waiter = pool.submit(() -> {
          waiterThread.set(Thread.currentThread());
          return shared("r").run(t -> {
            ran.add(t);
            return report("mine.txt");
          });
        });
        awaitBlockedOnTheFileLock(waiterThread);
        holder.getOutputStream().close();
        assertTrue(holder.waitFor(30, TimeUnit.SECONDS), "the other process ended");
        return waiter.get(30, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }
    } finally {
      holder.destroyForcibly();
    }
  }

  /** Until the thread is inside {@code FileChannel.lock}, where the other process's lock holds it. */
  private static void awaitBlockedOnTheFileLock(AtomicReference<Thread> thread) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Thread t = thread.get();
      if (t != null && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().equals("sun.nio.ch"
          + ".FileChannelImpl") && f.getMethodName().equals("lock"))) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "the waiter never reached the file lock");
      Thread.sleep(10);
    }
  }

  /** Another process: takes the lock, writes a report, says "locked", and holds it until stdin closes. */
  static final class LockHolder {
    private LockHolder() {
    }

    public static void main(String[] args) throws IOException {
      try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE);
          FileLock held = channel.lock()) {
        Files.copy(Path.of(args[2]), Path.of(args[1]), StandardCopyOption.REPLACE_EXISTING);
        System.out.println("locked");
        System.out.flush();
        System.in.readAllBytes();
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

  private static boolean hasLockFile(Path state) throws IOException {
    return filesIn(state).stream().anyMatch(n -> n.endsWith(".lock"));
  }

  private static List<String> filesIn(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** @return the warnings {@link SharedDownload} logged while {@code call} ran */
  private static List<String> warnings(Runnable call) {
    List<String> warnings = new CopyOnWriteArrayList<>();
    AbstractAppender capture = new AbstractAppender("shared-download-test", null, null, true,
        Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        if (event.getLevel() == Level.WARN) {
          warnings.add(event.getMessage().getFormattedMessage());
        }
      }
    };
    capture.start();
    org.apache.logging.log4j.core.Logger logger =
        (org.apache.logging.log4j.core.Logger) LogManager.getLogger(SharedDownload.class);
    Level level = logger.getLevel();
    logger.addAppender(capture);
    logger.setLevel(Level.WARN);
    try {
      call.run();
    } finally {
      logger.setLevel(level);
      logger.removeAppender(capture);
      capture.stop();
    }
    return warnings;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
