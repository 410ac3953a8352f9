package io.github.amlspark.harness;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The benchmarks' data: many small files in 50 folders and a few large ones, the same seeded bytes as
 * blobs in a container or as files in a local folder. Large blobs are sent as one Put Blob each, so that
 * they carry a service Content-MD5 (as the peers in STACK.md were measured); small ones get theirs from
 * the service as well.
 */
public final class Seed {
  private Seed() {
  }

  /** @return the name of small file {@code i}, relative to the container or folder */
  private static String smallName(int i) {
    return String.format(Locale.ROOT, "f/%02d/file-%05d.bin", i % 50, i);
  }

  private static byte[] smallBytes(int i, int size) {
    byte[] data = new byte[size];
    new Random(i).nextBytes(data);
    return data;
  }

  private static byte[] largeBytes(int i, byte[] buffer) {
    new Random(1000 + i).nextBytes(buffer);
    return buffer;
  }

  /**
   * @param container where to upload them
   * @param count how many
   * @param size bytes each
   * @throws Exception when an upload fails
   */
  public static void smallBlobs(BlobContainerClient container, int count, int size) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String name = smallName(i);
        byte[] data = smallBytes(i, size);
        futures.add(pool.submit(() -> container.getBlobClient(name).upload(BinaryData.fromBytes(data), true)));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  /**
   * @param container where to upload them
   * @param count how many
   * @param size bytes each (one Put Blob each, with its Content-MD5)
   * @throws NoSuchAlgorithmException never (MD5 is always there)
   */
  public static void largeBlobs(BlobContainerClient container, int count, int size) throws NoSuchAlgorithmException {
    byte[] buffer = new byte[size];
    for (int i = 0; i < count; i++) {
      byte[] data = largeBytes(i, buffer);
      byte[] md5 = MessageDigest.getInstance("MD5").digest(data);
      container.getBlobClient(largeName(i)).uploadWithResponse(
          new BlobParallelUploadOptions(BinaryData.fromBytes(data))
              .setHeaders(new BlobHttpHeaders().setContentMd5(md5))
              .setParallelTransferOptions(new ParallelTransferOptions().setMaxSingleUploadSizeLong((long) size)),
          null, null);
    }
  }

  private static String largeName(int i) {
    return "big-" + i + ".bin";
  }

  /**
   * The small blobs' bytes as files, an upload source.
   *
   * @param folder where to write them
   * @param count how many
   * @param size bytes each
   * @throws IOException when a file cannot be written
   */
  public static void smallFiles(Path folder, int count, int size) throws IOException {
    for (int i = 0; i < count; i++) {
      Path file = folder.resolve(smallName(i));
      Files.createDirectories(file.getParent());
      Files.write(file, smallBytes(i, size));
    }
  }

  /**
   * The large blobs' bytes as files, an upload source.
   *
   * @param folder where to write them
   * @param count how many
   * @param size bytes each
   * @throws IOException when a file cannot be written
   */
  public static void largeFiles(Path folder, int count, int size) throws IOException {
    Files.createDirectories(folder);
    byte[] buffer = new byte[size];
    for (int i = 0; i < count; i++) {
      Files.write(folder.resolve(largeName(i)), largeBytes(i, buffer));
    }
  }
}
