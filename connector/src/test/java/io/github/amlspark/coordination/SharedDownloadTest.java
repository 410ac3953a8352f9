package io.github.amlspark.coordination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.amlspark.FileTransfer;
import io.github.amlspark.TransferReport;
import io.github.amlspark.TransferStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
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
  void differentRequestsDoNotShare() {
    AtomicInteger downloads = new AtomicInteger();
    shared("r1").run(t -> report("a" + downloads.incrementAndGet()));
    shared("r2").run(t -> report("a" + downloads.incrementAndGet()));
    assertEquals(2, downloads.get());
    assertFalse(dir.resolve("out").toFile().exists(), "nothing is written into the output folder");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
