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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How fast the JDK's two HTTP clients move long bodies on this machine, beside curl. Downloads: 2 × 256 MiB
 * as 16 MiB ranged GETs, 8 in flight, each body read in 1 MiB pieces and written at its offset into a file
 * (the shape of amlspark's large downloads, without its checks); curl downloads the two blobs whole, in
 * parallel. Uploads: the same two files as one streamed Put Blob each, in parallel (the shape of amlspark's
 * large uploads, without the MD5 pass); curl {@code -T}. Each with the asynchronous {@link HttpClient} and
 * with the blocking {@link HttpURLConnection}. Interleaved runs after one warm-up round, in this JVM. Run it
 * with {@code bin/benchmark http-clients [runs] [--small-only]}.
 */
public final class HttpClientCeiling {
  private static final long BLOB = 256L * 1024 * 1024;
  private static final long RANGE = 16L * 1024 * 1024;
  private static final int IN_FLIGHT = 8;
  /** Small bodies: amlspark's small-file shape (one GET each, 16 in flight, a task's default concurrency). */
  private static final int SMALL_BLOBS = 2000;
  private static final int SMALL_SIZE = 16 * 1024;
  private static final int SMALL_IN_FLIGHT = 16;
  private static final com.sun.management.OperatingSystemMXBean CPU =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
  /** Range bytes and ranges in flight (both blobs together) of the further GET shapes measured. */
  private static final long[][] SHAPES = {{RANGE, 4}, {32L << 20, 4}, {64L << 20, 8}, {64L << 20, 4}, {BLOB, 2}};
  private static final HttpClient ASYNC = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  /** The same client with its dependent work run on the threads that complete it (no hand-offs to a pool). */
  private static final HttpClient DIRECT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .executor(Runnable::run).build();
  private static final String VERSION = "2021-12-02";

  private HttpClientCeiling() {
  }

  /**
   * @param args optional: runs (default 5)
   * @throws Exception when the measurement cannot run
   */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    boolean smallOnly = List.of(args).contains("--small-only");
    Path work = Files.createTempDirectory("amlspark-httpclients");
    ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
    try (Azurite azurite = Azurite.start(Azurite.harnessHome(), 0)) {
      BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
          .buildClient().createBlobContainer("large");
      Seed.largeBlobs(container, smallOnly ? 0 : 2, (int) BLOB);
      String sas = container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(2),
          new BlobContainerSasPermission().setReadPermission(true)));
      List<String> urls = new ArrayList<>();
      for (BlobItem b : container.listBlobs()) {
        urls.add(container.getBlobClient(b.getName()).getBlobUrl() + "?" + sas);
      }
      BlobContainerClient uploads = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
          .buildClient().createBlobContainer("uploads");
      String uploadSas = uploads.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(2),
          new BlobContainerSasPermission().setCreatePermission(true).setWritePermission(true)));
      Path sources = Files.createTempDirectory("amlspark-httpclients-sources");
      Seed.largeFiles(sources, smallOnly ? 0 : 2, (int) BLOB);
      List<Path> files;
      try (var listing = Files.list(sources)) {
        files = listing.sorted().toList();
      }
      BlobContainerClient small = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
          .buildClient().createBlobContainer("small");
      Seed.smallBlobs(small, SMALL_BLOBS, SMALL_SIZE);
      String smallSas = small.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(2),
          new BlobContainerSasPermission().setReadPermission(true)));
      List<String> smallUrls = new ArrayList<>();
      Map<String, String> etags = new HashMap<>();
      for (BlobItem b : small.listBlobs()) {
        smallUrls.add(small.getBlobClient(b.getName()).getBlobUrl() + "?" + smallSas);
        etags.put(smallUrls.get(smallUrls.size() - 1), b.getProperties().getETag());
      }
      ExecutorService smallPool = Executors.newFixedThreadPool(SMALL_IN_FLIGHT);
      Map<String, List<Double>> seconds = new LinkedHashMap<>();
      for (int round = 0; round <= runs; round++) {
        for (String client : List.of("HttpClient", "HttpClient, ranged with If-Match", "HttpClient, direct executor",
            "HttpURLConnection")) {
          long cpu = CPU.getProcessCpuTime();
          double emulatorCpu = azurite.cpuSeconds();
          long start = System.nanoTime();
          smallGets(client, smallUrls, etags, smallPool);
          record(seconds, SMALL_BLOBS + " small GETs " + client, round, start);
          if (round > 0) {
            seconds.computeIfAbsent(SMALL_BLOBS + " small GETs " + client + ", CPU s", k -> new ArrayList<>())
                .add((CPU.getProcessCpuTime() - cpu) / 1e9);
            seconds.computeIfAbsent(SMALL_BLOBS + " small GETs " + client + ", emulator CPU s",
                k -> new ArrayList<>()).add(azurite.cpuSeconds() - emulatorCpu);
          }
        }
        if (smallOnly) {
          continue;
        }
        for (String client : List.of("curl", "HttpClient", "HttpURLConnection")) {
          long start = System.nanoTime();
          if (client.equals("curl")) {
            curl(urls, work);
          } else {
            ranges(client, urls, work, pool, RANGE);
          }
          record(seconds, "GET " + client, round, start);
          Benchmark.deleteTree(work);
          Files.createDirectories(work);
          if (client.equals("HttpURLConnection")) {
            // Other shapes of the same GETs: fewer streams in flight, longer ranges, one GET per blob.
            for (long[] shape : SHAPES) {
              ExecutorService streams = Executors.newFixedThreadPool((int) shape[1]);
              start = System.nanoTime();
              ranges(client, urls, work, streams, shape[0]);
              record(seconds, "GET " + client + ", " + (shape[0] == BLOB ? "whole blobs" : (shape[0] >> 20) + " MiB")
                  + " x " + shape[1] + " in flight", round, start);
              streams.shutdown();
              Benchmark.deleteTree(work);
              Files.createDirectories(work);
            }
          }
          start = System.nanoTime();
          List<String> targets = new ArrayList<>();
          for (int i = 0; i < files.size(); i++) {
            targets.add(uploads.getBlobClient("r" + round + "/" + client + i).getBlobUrl() + "?" + uploadSas);
          }
          puts(client, files, targets, pool);
          record(seconds, "Put Blob " + client, round, start);
          uploads.delete();
          uploads.create();
        }
      }
      Benchmark.deleteTree(sources);
      System.out.println("| request, client | 2 x 256 MiB, median (s) | runs (s) | MB/s |");
      System.out.println("|---|---:|---|---:|");
      seconds.forEach((client, s) -> {
        List<Double> sorted = s.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        System.out.printf(Locale.ROOT, "| %s | %.2f | %s | %s |%n", client, median, s.stream()
            .map(x -> String.format(Locale.ROOT, "%.2f", x)).toList(), client.contains("small GETs") ? ""
            : String.format(Locale.ROOT, "%.0f", 2 * BLOB / median / 1e6));
      });
      smallPool.shutdown();
    } finally {
      pool.shutdown();
      Benchmark.deleteTree(work);
    }
  }

  /** Records the seconds since {@code start}, except in the warm-up round 0. */
  private static void record(Map<String, List<Double>> seconds, String what, int round, long start) {
    double s = (System.nanoTime() - start) / 1e9;
    if (round > 0) {
      seconds.computeIfAbsent(what, k -> new ArrayList<>()).add(s);
    }
  }

  /**
   * Each small blob with one GET, {@value #SMALL_IN_FLIGHT} in flight, its body read into memory. With
   * {@link HttpURLConnection} the JDK keeps {@code http.maxConnections} (default 5) idle connections per
   * host for reuse, fewer than the GETs in flight: run with {@code JAVA_OPTS=-Dhttp.maxConnections=16} to see
   * what that costs.
   */
  private static void smallGets(String client, List<String> urls, Map<String, String> etags, ExecutorService pool)
      throws Exception {
    List<Future<?>> gets = new ArrayList<>();
    for (String url : urls) {
      gets.add(pool.submit(() -> {
        byte[] body;
        if (client.startsWith("HttpClient")) {
          HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("x-ms-version", VERSION);
          if (client.contains("If-Match")) {
            // amlspark's shape: the whole blob as a range, pinned to its listed ETag.
            request.header("x-ms-range", "bytes=0-" + (SMALL_SIZE - 1)).header("If-Match", etags.get(url));
          }
          body = (client.contains("direct") ? DIRECT : ASYNC).send(request.build(),
              HttpResponse.BodyHandlers.ofByteArray()).body();
        } else {
          HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
          connection.setRequestProperty("x-ms-version", VERSION);
          try (InputStream in = connection.getInputStream()) {
            body = in.readAllBytes();
          }
        }
        if (body.length != SMALL_SIZE) {
          throw new IllegalStateException("a small GET returned " + body.length + " bytes");
        }
        return null;
      }));
    }
    for (Future<?> get : gets) {
      get.get();
    }
  }

  /** One streamed Put Blob per file, all in parallel. */
  private static void puts(String client, List<Path> files, List<String> urls, ExecutorService pool)
      throws Exception {
    if (client.equals("curl")) {
      List<String> command = new ArrayList<>(List.of("curl", "-sf", "--parallel", "--parallel-max", "2",
          "-H", "x-ms-blob-type: BlockBlob", "-H", "x-ms-version: " + VERSION));
      for (int i = 0; i < files.size(); i++) {
        command.addAll(List.of("-T", files.get(i).toString(), urls.get(i)));
      }
      if (new ProcessBuilder(command).inheritIO().start().waitFor() != 0) {
        throw new IllegalStateException("curl failed");
      }
      return;
    }
    List<Future<?>> sends = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      String url = urls.get(i);
      sends.add(pool.submit(() -> {
        put(client, file, url);
        return null;
      }));
    }
    for (Future<?> send : sends) {
      send.get();
    }
  }

  private static void put(String client, Path file, String url) throws Exception {
    long length = Files.size(file);
    int status;
    if (client.equals("HttpClient")) {
      status = ASYNC.send(HttpRequest.newBuilder(URI.create(url)).header("x-ms-blob-type", "BlockBlob")
          .header("x-ms-version", VERSION)
          .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
              return Files.newInputStream(file);
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }), length)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } else {
      HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
      connection.setRequestMethod("PUT");
      connection.setDoOutput(true);
      connection.setFixedLengthStreamingMode(length);
      connection.setRequestProperty("x-ms-blob-type", "BlockBlob");
      connection.setRequestProperty("x-ms-version", VERSION);
      try (InputStream in = Files.newInputStream(file); var out = connection.getOutputStream()) {
        in.transferTo(out);
      }
      status = connection.getResponseCode();
      connection.getInputStream().close();
    }
    if (status != 201) {
      throw new IllegalStateException("Put Blob answered " + status);
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

  private static void ranges(String client, List<String> urls, Path work, ExecutorService pool, long rangeBytes)
      throws Exception {
    List<FileChannel> files = new ArrayList<>();
    List<Future<?>> parts = new ArrayList<>();
    try {
      for (int i = 0; i < urls.size(); i++) {
        FileChannel file = FileChannel.open(work.resolve(client + i), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        files.add(file);
        String url = urls.get(i);
        for (long offset = 0; offset < BLOB; offset += rangeBytes) {
          long at = offset;
          parts.add(pool.submit(() -> {
            get(client, url, at, Math.min(rangeBytes, BLOB - at), file);
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
