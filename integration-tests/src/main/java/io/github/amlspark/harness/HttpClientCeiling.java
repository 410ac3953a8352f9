package io.github.amlspark.harness;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How fast the JDK's two HTTP clients read long bodies on this machine, beside curl: 2 × 256 MiB as 16 MiB
 * ranged GETs, 8 in flight, each body read in 1 MiB pieces and written at its offset into a file (the shape
 * of amlspark's large downloads, without its checks), with the asynchronous {@link HttpClient} and with the
 * blocking {@link HttpURLConnection}; curl downloads the two blobs whole, in parallel. Interleaved runs
 * after one warm-up round, in this JVM. Run it with {@code bin/benchmark http-clients [runs]}.
 */
public final class HttpClientCeiling {
  private static final long BLOB = 256L * 1024 * 1024;
  private static final long RANGE = 16L * 1024 * 1024;
  private static final int IN_FLIGHT = 8;
  private static final HttpClient ASYNC = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String VERSION = "2021-12-02";

  private HttpClientCeiling() {
  }

  /**
   * @param args optional: runs (default 5)
   * @throws Exception when the measurement cannot run
   */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path work = Files.createTempDirectory("amlspark-httpclients");
    ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
    try (Azurite azurite = Azurite.start(Path.of(System.getProperty("azurite.home", "integration-tests")), 0)) {
      BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
          .buildClient().createBlobContainer("large");
      Seed.largeBlobs(container, 2, (int) BLOB);
      String sas = container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(2),
          new BlobContainerSasPermission().setReadPermission(true)));
      List<String> urls = new ArrayList<>();
      for (BlobItem b : container.listBlobs()) {
        urls.add(container.getBlobClient(b.getName()).getBlobUrl() + "?" + sas);
      }
      Map<String, List<Double>> seconds = new LinkedHashMap<>();
      for (int round = 0; round <= runs; round++) {
        for (String client : List.of("curl", "HttpClient", "HttpURLConnection")) {
          long start = System.nanoTime();
          if (client.equals("curl")) {
            curl(urls, work);
          } else {
            ranges(client, urls, work, pool);
          }
          double s = (System.nanoTime() - start) / 1e9;
          if (round > 0) {
            seconds.computeIfAbsent(client, k -> new ArrayList<>()).add(s);
          }
          Benchmark.deleteTree(work);
          Files.createDirectories(work);
        }
      }
      System.out.println("| client | 2 x 256 MiB, median (s) | runs (s) | MB/s |");
      System.out.println("|---|---:|---|---:|");
      seconds.forEach((client, s) -> {
        List<Double> sorted = s.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        System.out.printf(Locale.ROOT, "| %s | %.2f | %s | %.0f |%n", client, median, s.stream()
            .map(x -> String.format(Locale.ROOT, "%.2f", x)).toList(), 2 * BLOB / median / 1e6);
      });
    } finally {
      pool.shutdown();
      Benchmark.deleteTree(work);
    }
  }

  private static void curl(List<String> urls, Path work) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-sf", "--parallel", "--parallel-max", "2"));
    for (int i = 0; i < urls.size(); i++) {
      command.addAll(List.of("-o", work.resolve("curl" + i).toString(), urls.get(i)));
    }
    if (new ProcessBuilder(command).inheritIO().start().waitFor() != 0) {
      throw new IllegalStateException("curl failed");
    }
  }

  private static void ranges(String client, List<String> urls, Path work, ExecutorService pool) throws Exception {
    List<FileChannel> files = new ArrayList<>();
    List<Future<?>> parts = new ArrayList<>();
    try {
      for (int i = 0; i < urls.size(); i++) {
        FileChannel file = FileChannel.open(work.resolve(client + i), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        files.add(file);
        String url = urls.get(i);
        for (long offset = 0; offset < BLOB; offset += RANGE) {
          long at = offset;
          parts.add(pool.submit(() -> {
            get(client, url, at, Math.min(RANGE, BLOB - at), file);
            return null;
          }));
        }
      }
      for (Future<?> part : parts) {
        part.get();
      }
    } finally {
      for (FileChannel file : files) {
        file.close();
      }
    }
  }

  private static void get(String client, String url, long offset, long length, FileChannel file) throws Exception {
    String range = "bytes=" + offset + "-" + (offset + length - 1);
    InputStream body;
    if (client.equals("HttpClient")) {
      body = ASYNC.send(HttpRequest.newBuilder(URI.create(url)).header("x-ms-range", range)
          .header("x-ms-version", VERSION).build(), HttpResponse.BodyHandlers.ofInputStream()).body();
    } else {
      HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
      connection.setRequestProperty("x-ms-range", range);
      connection.setRequestProperty("x-ms-version", VERSION);
      body = connection.getInputStream();
    }
    byte[] piece = new byte[1024 * 1024];
    long at = offset;
    try (body) {
      for (int n; (n = body.read(piece)) > 0; ) {
        ByteBuffer buffer = ByteBuffer.wrap(piece, 0, n);
        while (buffer.hasRemaining()) {
          at += file.write(buffer, at);
        }
      }
    }
    if (at != offset + length) {
      throw new IllegalStateException("range " + range + " ended at " + at);
    }
  }
}
