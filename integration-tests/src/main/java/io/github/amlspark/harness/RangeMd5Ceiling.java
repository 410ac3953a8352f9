package io.github.amlspark.harness;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the emulator serves for the request shape of {@code validateChecksum=true} on large blobs: 4 MiB
 * ranged GETs with {@code x-ms-range-get-content-md5: true}, 16 in flight (a task's requests), bodies read
 * and dropped; beside the same ranges without the header, and amlspark's own validated download of the
 * same blobs (no Spark session: this JVM's threads), each median of several runs. Run it with
 * {@code bin/benchmark range-md5 [runs]}.
 */
public final class RangeMd5Ceiling {
  private static final int RANGE = 4 * 1024 * 1024;
  private static final int IN_FLIGHT = 16;

  private RangeMd5Ceiling() {
  }

  /**
   * @param args optional: runs (default 3)
   * @throws Exception when the measurement cannot run
   */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path work = Files.createTempDirectory("amlspark-rangemd5");
    try (Azurite azurite = Azurite.start(Azurite.harnessHome(), 0)) {
      BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
          .buildClient().createBlobContainer("large");
      Seed.largeBlobs(container, 2, 256 * 1024 * 1024);
      String sas = container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(2),
          new BlobContainerSasPermission().setReadPermission(true)));
      List<String> urls = new ArrayList<>();
      long total = 0;
      for (BlobItem b : container.listBlobs()) {
        urls.add(container.getBlobClient(b.getName()).getBlobUrl() + "?" + sas + "#" + b.getProperties()
            .getContentLength());
        total += b.getProperties().getContentLength();
      }
      AzureMLFiles files = AzureMLFiles.builder().workspaceConfig(new LocalWorkspace()
          .withKeyDatastore("large", azurite.accountUrl(), "large", Azurite.ACCOUNT_KEY)
          .writeTo(work.resolve("config.json")).toString()).build();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
      List<Double> withMd5 = new ArrayList<>();
      List<Double> without = new ArrayList<>();
      List<Double> amlspark = new ArrayList<>();
      for (int i = -1; i < runs; i++) {
        // Round -1 warms the JIT, the connections and the emulator up, and is not counted.
        double a = ranges(http, pool, urls, true);
        double b = ranges(http, pool, urls, false);
        Path out = work.resolve("out" + i);
        TransferReport r = files.downloadFromDatastore("large", "", out.toString(),
            TransferOptions.defaults().overwrite(OverwriteMode.ALWAYS).validateChecksum(true));
        Benchmark.deleteTree(out);
        Benchmark.sync();
        if (i >= 0) {
          withMd5.add(total / a / 1e6);
          without.add(total / b / 1e6);
          amlspark.add(total / (r.elapsed().toNanos() / 1e9) / 1e6);
        }
      }
      pool.shutdown();
      System.out.println("| 2 x 256 MiB, 4 MiB ranges, 16 in flight | MB/s, median | runs |");
      System.out.println("|---|---:|---|");
      row("emulator: ranged GETs with x-ms-range-get-content-md5 (validateChecksum's request shape)", withMd5);
      row("emulator: the same ranges without it", without);
      row("amlspark downloadFromDatastore, validateChecksum=true (in this JVM, warm)", amlspark);
    } finally {
      Benchmark.deleteTree(work);
    }
  }

  private static void row(String label, List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    System.out.printf(Locale.ROOT, "| %s | %.0f | %s |%n", label, sorted.get(sorted.size() / 2),
        values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList());
  }

  /** @return seconds to GET every 4 MiB range of every blob, 16 in flight */
  private static double ranges(HttpClient http, ExecutorService pool, List<String> urls, boolean md5)
      throws Exception {
    long start = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (String spec : urls) {
      String url = spec.substring(0, spec.indexOf('#'));
      long length = Long.parseLong(spec.substring(spec.indexOf('#') + 1));
      for (long off = 0; off < length; off += RANGE) {
        long end = Math.min(length, off + RANGE) - 1;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("x-ms-version", "2021-12-02")
            .header("x-ms-range", "bytes=" + off + "-" + end);
        if (md5) {
          request.header("x-ms-range-get-content-md5", "true");
        }
        futures.add(pool.submit(() -> {
          HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
          try (InputStream body = response.body()) {
            if (response.statusCode() != 206 || md5 && response.headers().firstValue("Content-MD5").isEmpty()) {
              throw new IllegalStateException("answered " + response.statusCode());
            }
            body.transferTo(java.io.OutputStream.nullOutputStream());
          }
          return null;
        }));
      }
    }
    for (Future<?> f : futures) {
      f.get();
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
