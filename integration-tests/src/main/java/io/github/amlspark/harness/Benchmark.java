package io.github.amlspark.harness;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobHttpHeaders;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The transfer benchmark: amlspark's in-process download rate on local Spark against in-memory Azurite,
 * by default (whole-file MD5 check, files forced to disk), without the MD5 check, without forcing, and with
 * every range validated, median of several interleaved runs; then the upload rate. Run it with {@code bin/benchmark}.
 */
public final class Benchmark {
  private static final int SMALL_FILES = 2000;
  private static final int SMALL_SIZE = 16 * 1024;
  private static final int LARGE_FILES = 2;
  private static final int LARGE_SIZE = 256 * 1024 * 1024;
  private static final int WARMUP_RUNS = 3;

  private Benchmark() {
  }

  /**
   * @param args optional: runs per measurement (default 3), then {@code small}, {@code large},
   *     {@code all} (default) or {@code huge} (one 1 GiB blob; run with -Xmx512m)
   * @throws Exception when the benchmark cannot run
   */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    String which = args.length > 1 ? args[1] : "all";
    boolean doSmall = !which.equals("large");
    boolean doLarge = !which.equals("small");
    Path work = Files.createTempDirectory("amlspark-bench");
    if (which.equals("huge")) {
      hugeBlob(work);
      return;
    }
    try (Azurite azurite = Azurite.start(Azurite.harnessHome(), 0)) {
      BlobServiceClient service = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
          .buildClient();
      BlobContainerClient small = service.createBlobContainer("small");
      BlobContainerClient large = service.createBlobContainer("large");
      if (doSmall) {
        Seed.smallBlobs(small, SMALL_FILES, SMALL_SIZE);
      }
      if (doLarge) {
        Seed.largeBlobs(large, LARGE_FILES, LARGE_SIZE);
      }
      Path config = new LocalWorkspace()
          .withKeyDatastore("small", azurite.accountUrl(), "small", Azurite.ACCOUNT_KEY)
          .withKeyDatastore("large", azurite.accountUrl(), "large", Azurite.ACCOUNT_KEY)
          .writeTo(work.resolve("config.json"));

      SparkSession spark = SparkSession.builder().master("local[2]").appName("amlspark-benchmark")
          .config("spark.ui.enabled", "false").getOrCreate();
      AzureMLFiles files = AzureMLFiles.builder().spark(spark).workspaceConfig(config.toString()).build();
      // Small files first, then large ones: a large run's clean-up (deleting 512 MB) would otherwise bill
      // the disk work to the small-file run after it. Each phase starts with whole warm-up runs (JIT,
      // session, connection pool), as in a long-lived session.
      double[] filesPerSec = new double[MODES.size()];
      double[] mbPerSec = new double[MODES.size()];
      Arrays.fill(filesPerSec, Double.NaN);
      Arrays.fill(mbPerSec, Double.NaN);
      if (doSmall) {
        for (int i = 0; i < WARMUP_RUNS; i++) {
          for (Mode mode : MODES) {
            download(files, "small", work.resolve("warmup-s" + i + mode.id()), mode);
          }
        }
        filesPerSec = interleaved(runs, "small files", (mode, i) -> {
          TransferReport r = download(files, "small", work.resolve("s" + mode.id() + i), mode);
          return r.transferred() / seconds(r);
        });
      }
      if (doLarge) {
        for (Mode mode : MODES) {
          download(files, "large", work.resolve("warmup-l" + mode.id()), mode);
        }
        mbPerSec = interleaved(runs, "large files", (mode, i) -> {
          TransferReport r = download(files, "large", work.resolve("l" + mode.id() + i), mode);
          return r.bytes() / seconds(r) / 1e6;
        });
      }
      List<String> rows = new ArrayList<>();
      for (int m = 0; m < MODES.size(); m++) {
        rows.add(String.format(Locale.ROOT, "| download, %s | %,.0f files/s | %,.0f MB/s |",
            MODES.get(m).label(), filesPerSec[m], mbPerSec[m]));
      }
      // Uploads of the same files: the small and large sets downloaded once more as local sources.
      Path smallSource = work.resolve("upload-small");
      Path largeSource = work.resolve("upload-large");
      if (doSmall) {
        download(files, "small", smallSource, MODES.get(0));
      }
      if (doLarge) {
        files.downloadFromDatastore("large", "", largeSource.toString());
      }
      service.createBlobContainer("uploads");
      Path uploadConfig = new LocalWorkspace()
          .withKeyDatastore("uploads", azurite.accountUrl(), "uploads", Azurite.ACCOUNT_KEY)
          .writeTo(work.resolve("upload-config.json"));
      AzureMLFiles uploads = AzureMLFiles.builder().spark(spark).workspaceConfig(uploadConfig.toString()).build();
      int[] serial = {0};
      double upFiles = !doSmall ? Double.NaN : median(runs, i -> {
        TransferReport r = uploads.uploadToDatastore("uploads", smallSource.toString(), "s" + serial[0]++);
        return r.transferred() / seconds(r);
      });
      double upMb = !doLarge ? Double.NaN : median(runs, i -> {
        TransferReport r = uploads.uploadToDatastore("uploads", largeSource.toString(), "l" + serial[0]++);
        return r.bytes() / seconds(r) / 1e6;
      });
      rows.add(String.format(Locale.ROOT, "| upload (Content-MD5 computed before the send, or in the same pass above 256 MiB) | %,.0f files/s | %,.0f MB/s |",
          upFiles, upMb));
      System.out.println();
      System.out.println("| work | " + SMALL_FILES + " x 16 KiB | " + LARGE_FILES + " x 256 MiB |");
      System.out.println("|---|---:|---:|");
      rows.forEach(System.out::println);
      System.out.printf(Locale.ROOT, "peak old-generation heap of this JVM: %,d MiB (max heap %,d MiB)%n",
          peakHeapMiB(), Runtime.getRuntime().maxMemory() >> 20);
      spark.stop();
    } finally {
      deleteTree(work);
    }
  }

  /**
   * One 1 GiB blob, downloaded with and without checksums and uploaded again by this JVM (run it with
   * -Xmx512m): memory per task stays bounded whatever the file size. The blob is seeded from a stream,
   * never held whole.
   */
  private static void hugeBlob(Path work) throws Exception {
    long size = 1L << 30;
    try (Azurite azurite = Azurite.start(Azurite.harnessHome(), 0)) {
      BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
          .buildClient().createBlobContainer("huge");
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      java.io.InputStream generated = new java.security.DigestInputStream(new java.io.InputStream() {
        private final Random random = new Random(7);
        private long left = size;

        @Override
        public int read() {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
          if (left == 0) {
            return -1;
          }
          int n = (int) Math.min(len, left);
          byte[] chunk = new byte[n];
          random.nextBytes(chunk);
          System.arraycopy(chunk, 0, b, off, n);
          left -= n;
          return n;
        }
      }, md5);
      var blob = container.getBlobClient("checkpoint-1gib.bin");
      blob.upload(generated, size, true);
      blob.setHttpHeaders(new BlobHttpHeaders().setContentMd5(md5.digest()));
      Path config = new LocalWorkspace().withKeyDatastore("huge", azurite.accountUrl(), "huge", Azurite.ACCOUNT_KEY)
          .writeTo(work.resolve("config.json"));
      SparkSession spark = SparkSession.builder().master("local[2]").appName("amlspark-benchmark-huge")
          .config("spark.ui.enabled", "false").getOrCreate();
      AzureMLFiles files = AzureMLFiles.builder().spark(spark).workspaceConfig(config.toString()).build();
      for (Mode mode : List.of(MODES.get(0), MODES.get(MODES.size() - 1))) {
        TransferReport r = download(files, "huge", work.resolve("h" + mode.id()), mode);
        System.out.printf(Locale.ROOT, "1 GiB blob, %s: %s, checksumVerified=%s%n", mode.label(),
            r.summary(), r.files().get(0).checksumVerified());
      }
      // And back up: the same 1 GiB file uploaded from disk by this 512 MiB JVM.
      Path local = work.resolve("h-up");
      files.downloadFromDatastore("huge", "", local.toString());
      TransferReport up = files.uploadToDatastore("huge", local.toString(), "uploaded");
      System.out.printf(Locale.ROOT, "1 GiB file uploaded: %s, Content-MD5 %s%n", up.summary(),
          up.files().get(0).contentMd5());
      System.out.printf(Locale.ROOT, "max heap %,d MiB (no OutOfMemoryError), peak old-generation heap %,d MiB%n",
          Runtime.getRuntime().maxMemory() >> 20, peakHeapMiB());
      spark.stop();
    } finally {
      deleteTree(work);
    }
  }

  /**
   * What one download measurement turns on.
   *
   * @param checkMd5 the default whole-file check against the Content-MD5 (the {@code checkMd5} option)
   * @param validate {@code validateChecksum}: every range's MD5 as well
   * @param force files forced to disk before and after their rename; turning that off is for this
   *     comparison only (an internal system property, read in this JVM's local-mode executors)
   */
  private record Mode(boolean checkMd5, boolean validate, boolean force) {
    String id() {
      return (checkMd5 ? "m" : "") + (validate ? "v" : "") + (force ? "f" : "");
    }

    String label() {
      return validate ? "validateChecksum=true" : "checkMd5=" + checkMd5 + (force ? "" : ", not forced to disk");
    }
  }

  /** The default first; the two comparisons of its costs (MD5, forcing); the full check last. */
  private static final List<Mode> MODES = List.of(new Mode(true, false, true), new Mode(false, false, true),
      new Mode(true, false, false), new Mode(true, true, true));

  private static TransferReport download(AzureMLFiles files, String datastore, Path out, Mode mode)
      throws IOException, InterruptedException {
    SparkSession.active().conf().set("spark.azureml.checkMd5", String.valueOf(mode.checkMd5()));
    System.setProperty("amlspark.benchmark.noForce", String.valueOf(!mode.force()));
    TransferReport report = files.downloadFromDatastore(datastore, "", out.toString(),
        TransferOptions.defaults().overwrite(OverwriteMode.ALWAYS).validateChecksum(mode.validate()));
    // Each run writes a fresh folder and starts on a quiet disk, as a user's download does: the previous
    // run's write-back (and, for large files, deletion) would otherwise be billed to the next run.
    // Deleting thousands of small files makes the file system busy long after a sync, so they stay
    // until the end.
    if (report.bytes() > 100L * 1024 * 1024) {
      deleteTree(out);
    }
    sync();
    return report;
  }

  /** Writes back what the page cache holds, so that the next run starts on a quiet disk. */
  static void sync() throws IOException, InterruptedException {
    new ProcessBuilder("sync").inheritIO().start().waitFor();
  }

  private static double seconds(TransferReport r) {
    return r.elapsed().toNanos() / 1e9;
  }

  interface Run {
    double measure(int index) throws Exception;
  }

  interface ModeRun {
    double measure(Mode mode, int index) throws Exception;
  }

  /**
   * Runs every mode once per round, so that the machine's drift (it is shared) falls on all modes alike.
   *
   * @return each mode's median, in {@link #MODES} order
   */
  private static double[] interleaved(int runs, String what, ModeRun run) throws Exception {
    List<List<Double>> values = new ArrayList<>();
    MODES.forEach(m -> values.add(new ArrayList<>()));
    for (int i = 0; i < runs; i++) {
      for (int m = 0; m < MODES.size(); m++) {
        values.get(m).add(run.measure(MODES.get(m), i));
      }
    }
    double[] medians = new double[MODES.size()];
    for (int m = 0; m < MODES.size(); m++) {
      List<Double> v = values.get(m);
      System.out.println("  " + what + ", " + MODES.get(m).label() + ", runs: "
          + v.stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList());
      medians[m] = v.stream().sorted().toList().get(v.size() / 2);
    }
    return medians;
  }

  private static double median(int runs, Run run) throws Exception {
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      values.add(run.measure(i));
    }
    System.out.println("  runs: " + values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList());
    values.sort(Comparator.naturalOrder());
    return values.get(values.size() / 2);
  }

  /** @return the old generation's peak: what survived collections (summing pool peaks overstates it) */
  private static long peakHeapMiB() {
    return java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getName().contains("Old"))
        .mapToLong(p -> p.getPeakUsage().getUsed()).sum() >> 20;
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
