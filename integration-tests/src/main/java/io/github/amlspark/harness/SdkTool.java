package io.github.amlspark.harness;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.options.BlobDownloadToFileOptions;
import com.azure.storage.common.ParallelTransferOptions;
import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The hand-written contender of {@link ColdBenchmark}: what a user would write with the Azure SDK alone,
 * 8 threads over the files, each large blob with the SDK's own parallel download (8 MiB blocks, 8 in
 * flight). Run as its own JVM it prints the time from the first line of {@code main} (building the client
 * and listing included); {@link ColdBenchmark}'s warm rows keep one running ({@code serve}).
 */
public final class SdkTool {
  /** The environment variable holding the container's URL with a SAS (kept off the command line). */
  static final String CONTAINER_URL_ENV = "AMLSPARK_BENCH_CONTAINER_URL";
  private static final int THREADS = 8;
  private static final ParallelTransferOptions LARGE_BLOBS = new ParallelTransferOptions()
      .setBlockSizeLong(8L * 1024 * 1024).setMaxConcurrency(THREADS);

  private SdkTool() {
  }

  /**
   * @param args {@code download DIR}, {@code download-md5 DIR} (each file hashed after its download and
   *     compared with the listed Content-MD5) or {@code upload DIR REMOTE_PATH}; the container's URL with
   *     a SAS comes from the environment variable {@value #CONTAINER_URL_ENV}. Or {@code serve}: a
   *     long-lived tool for warm calls, one per line of its input (see {@link #serve()})
   * @throws Exception when a transfer fails or a file's MD5 differs
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("serve")) {
      serve();
      return;
    }
    long start = System.nanoTime();
    String url = System.getenv(CONTAINER_URL_ENV);
    if (url == null || args.length < 2) {
      throw new IllegalArgumentException("usage: " + CONTAINER_URL_ENV + "=<container URL with SAS> SdkTool "
          + "download|download-md5 DIR | upload DIR REMOTE_PATH");
    }
    BlobContainerClient container = new BlobContainerClientBuilder().endpoint(url).buildClient();
    int files = run(container, args[0], Arrays.asList(args).subList(1, args.length));
    System.out.printf(Locale.ROOT, "sdk.files=%d sdk.seconds=%.3f%n", files, (System.nanoTime() - start) / 1e9);
  }

  /**
   * The SDK tool as a long-lived process: each input line {@code COMMAND CONTAINER_URL ARGS...} (the
   * commands of {@link #main}) runs on container clients built once per URL, and answers one line,
   * {@code sdk.seconds=S sdk.cpu=C} (its wall and this process's CPU seconds), or {@code sdk.error=...}.
   * {@link ColdBenchmark}'s warm rows run it so that its garbage and threads are not billed to amlspark's
   * calls in the benchmark's own JVM.
   */
  private static void serve() throws IOException {
    Map<String, BlobContainerClient> clients = new HashMap<>();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] words = line.split(" ");
      BlobContainerClient container = clients.computeIfAbsent(words[1],
          url -> new BlobContainerClientBuilder().endpoint(url).buildClient());
      long cpu = os.getProcessCpuTime();
      long start = System.nanoTime();
      try {
        run(container, words[0], Arrays.asList(words).subList(2, words.length));
        System.out.printf(Locale.ROOT, "sdk.seconds=%.3f sdk.cpu=%.3f%n", (System.nanoTime() - start) / 1e9,
            (os.getProcessCpuTime() - cpu) / 1e9);
      } catch (Exception e) {
        System.out.println("sdk.error=" + e.toString().replace('\n', ' '));
      }
      System.out.flush();
    }
  }

  /**
   * @param container the container's client
   * @param command {@code download}, {@code download-md5} or {@code upload}
   * @param args its folder, and for uploads the remote path
   * @return how many files it moved
   * @throws Exception when a transfer fails or a file's MD5 differs
   */
  private static int run(BlobContainerClient container, String command, List<String> args) throws Exception {
    Path dir = Path.of(args.get(0));
    return switch (command) {
      case "download" -> download(container, dir, false);
      case "download-md5" -> download(container, dir, true);
      case "upload" -> upload(container, dir, args.get(1));
      default -> throw new IllegalArgumentException("unknown command " + command);
    };
  }

  /**
   * Lists the container and downloads every blob into {@code out}, 8 at a time.
   *
   * @param container the blobs
   * @param out a fresh folder
   * @param checkMd5 whether each file is read back, hashed and compared with the listed Content-MD5
   * @return how many files were downloaded
   * @throws Exception when a download fails or an MD5 differs
   */
  static int download(BlobContainerClient container, Path out, boolean checkMd5) throws Exception {
    List<Callable<Void>> tasks = new ArrayList<>();
    for (BlobItem item : container.listBlobs()) {
      tasks.add(() -> {
        Path file = out.resolve(item.getName());
        Files.createDirectories(file.getParent());
        container.getBlobClient(item.getName()).downloadToFileWithResponse(
            new BlobDownloadToFileOptions(file.toString()).setParallelTransferOptions(LARGE_BLOBS), null,
            Context.NONE);
        byte[] expected = item.getProperties().getContentMd5();
        if (checkMd5 && expected != null && !Arrays.equals(expected, md5(file))) {
          throw new IOException("MD5 of " + item.getName() + " differs from its Content-MD5");
        }
        return null;
      });
    }
    return runAll(tasks);
  }

  /**
   * Uploads every file under {@code source} as a block blob (overwriting), 8 at a time; the SDK sends a
   * file of up to 256 MiB as one Put Blob.
   *
   * @param container where to
   * @param source the local folder
   * @param remotePath the folder in the container
   * @return how many files were uploaded
   * @throws Exception when an upload fails
   */
  static int upload(BlobContainerClient container, Path source, String remotePath) throws Exception {
    List<Callable<Void>> tasks = new ArrayList<>();
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = remotePath + "/" + source.relativize(file).toString().replace('\\', '/');
        tasks.add(() -> {
          container.getBlobClient(name).uploadFromFile(file.toString(), true);
          return null;
        });
      }
    }
    return runAll(tasks);
  }

  private static byte[] md5(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("MD5");
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return digest.digest();
  }

  private static int runAll(List<Callable<Void>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      for (Future<Void> f : pool.invokeAll(tasks)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return tasks.size();
  }
}
