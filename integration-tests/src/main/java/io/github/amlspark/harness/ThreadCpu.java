package io.github.amlspark.harness;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.TransferOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;

/**
 * Where a warm download's CPU goes, by thread: 2,000 × 16 KiB (or 2 × 256 MiB) downloaded again and again
 * by one long-lived local[*] session with the Java API, each call followed by the user and system CPU seconds of
 * every thread of this JVM (from {@code /proc/self/task}, grouped by name) and the emulator's. It shows
 * what JFR's samples do not: compiler threads, time in the kernel, the HTTP client's own threads. Run it
 * with {@code bin/benchmark threads [calls, default 8] [md5] [large]} (Linux only).
 */
public final class ThreadCpu {
  private static final int FILES = 2000;
  private static final int SIZE = 16 * 1024;
  private static final int LARGE_FILES = 2;
  private static final int LARGE_SIZE = 256 * 1024 * 1024;

  private ThreadCpu() {
  }

  /**
   * @param args optional: calls (default 8), then {@code md5} for the default whole-file check (else off)
   *     and {@code large} for 2 × 256 MiB instead of the small files
   * @throws Exception when the measurement cannot run
   */
  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    List<String> flags = Arrays.asList(args);
    boolean md5 = flags.contains("md5");
    boolean large = flags.contains("large");
    Path work = Files.createTempDirectory("amlspark-threads");
    try (Azurite azurite = Azurite.start(Azurite.harnessHome(), 0)) {
      BlobContainerClient small = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
          .buildClient().createBlobContainer("small");
      if (large) {
        Seed.largeBlobs(small, LARGE_FILES, LARGE_SIZE);
      } else {
        Seed.smallBlobs(small, FILES, SIZE);
      }
      Path config = new LocalWorkspace().withKeyDatastore("small", azurite.accountUrl(), "small", Azurite.ACCOUNT_KEY)
          .writeTo(work.resolve("config.json"));
      SparkSession spark = SparkSession.builder().master("local[*]").appName("amlspark-threads")
          .config("spark.ui.enabled", "false").getOrCreate();
      spark.conf().set("spark.azureml.checkMd5", String.valueOf(md5));
      AzureMLFiles files = AzureMLFiles.builder().spark(spark).workspaceConfig(config.toString()).build();
      for (int i = 0; i < calls; i++) {
        Map<String, long[]> before = threadTicks();
        double emulator = azurite.cpuSeconds();
        long start = System.nanoTime();
        // A fresh folder each time: emptying one of thousands of files first slows ext4's next creations.
        files.downloadFromDatastore("small", "", work.resolve("out" + i).toString(), TransferOptions.defaults());
        double seconds = (System.nanoTime() - start) / 1e9;
        print(i + 1, seconds, azurite.cpuSeconds() - emulator, before, threadTicks());
        if (large) {
          Benchmark.deleteTree(work.resolve("out" + i));
        }
        Benchmark.sync();
      }
      spark.stop();
    } finally {
      Benchmark.deleteTree(work);
    }
  }

  /** Prints one call's CPU by thread name (digits dropped, so that a pool's threads add up). */
  private static void print(int call, double seconds, double emulator, Map<String, long[]> before,
      Map<String, long[]> after) {
    Map<String, long[]> byName = new TreeMap<>();
    after.forEach((thread, ticks) -> {
      long[] was = before.getOrDefault(thread, new long[2]);
      long[] sum = byName.computeIfAbsent(thread.substring(thread.indexOf(':') + 1).replaceAll("[0-9]+", "N"),
          k -> new long[2]);
      sum[0] += ticks[0] - was[0];
      sum[1] += ticks[1] - was[1];
    });
    long user = byName.values().stream().mapToLong(t -> t[0]).sum();
    long system = byName.values().stream().mapToLong(t -> t[1]).sum();
    System.out.printf(Locale.ROOT, "call %d: %.2f s, JVM CPU user %.2f s + system %.2f s, emulator %.2f s%n", call,
        seconds, user / Azurite.TICKS_PER_SECOND, system / Azurite.TICKS_PER_SECOND, emulator);
    byName.forEach((name, t) -> {
      if (t[0] + t[1] >= 3) {
        System.out.printf(Locale.ROOT, "    %-16s user %.2f  system %.2f%n", name, t[0] / Azurite.TICKS_PER_SECOND,
            t[1] / Azurite.TICKS_PER_SECOND);
      }
    });
  }

  /** @return "tid:name" → {user, system} clock ticks of every live thread of this JVM */
  private static Map<String, long[]> threadTicks() throws IOException {
    Map<String, long[]> ticks = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException ended) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        ticks.put(task.getFileName() + ":" + name, Azurite.userAndSystemTicks(stat));
      }
    }
    return ticks;
  }
}
