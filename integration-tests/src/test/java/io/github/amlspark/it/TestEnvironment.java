package io.github.amlspark.it;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.github.amlspark.harness.Azurite;
import io.github.amlspark.harness.LocalWorkspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;

/**
 * One Azurite and one local Spark session for the whole test run, started on first use and stopped when
 * the JUnit launcher session closes ({@link TestEnvironmentListener}).
 */
public final class TestEnvironment {
  private static Azurite azurite;
  private static Azurite wasbAzurite;
  private static SparkSession spark;
  private static BlobServiceClient blobs;
  private static StandaloneCluster cluster;

  private TestEnvironment() {
  }

  /** @return the shared emulator */
  public static synchronized Azurite azurite() {
    if (azurite == null) {
      try {
        azurite = Azurite.start(Path.of(System.getProperty("azurite.home", ".")), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return azurite;
  }

  /**
   * @return a second emulator, on the port hadoop-azure's WASB emulator mode is fixed to, started on
   *     first use: only WASB tests need it
   */
  public static synchronized Azurite wasbAzurite() {
    if (wasbAzurite == null) {
      try {
        wasbAzurite = Azurite.startForWasb(Path.of(System.getProperty("azurite.home", ".")));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return wasbAzurite;
  }

  /** @return the shared local Spark session, two cores as on CI */
  public static synchronized SparkSession spark() {
    if (spark == null) {
      spark = SparkSession.builder().master("local[2]").appName("amlspark-it")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "2")
          .getOrCreate();
    }
    return spark;
  }

  /**
   * @return the shared standalone cluster (a Master and a Worker JVM, two one-core executors per
   *     application), started on first use: only the cluster tests need it
   */
  static synchronized StandaloneCluster cluster() {
    if (cluster == null) {
      try {
        cluster = StandaloneCluster.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while the standalone cluster started", e);
      }
    }
    return cluster;
  }

  /** @return a client of the emulator's development account, for seeding and checking */
  public static synchronized BlobServiceClient blobs() {
    if (blobs == null) {
      blobs = new BlobServiceClientBuilder().connectionString(azurite().connectionString()).buildClient();
    }
    return blobs;
  }

  /**
   * @param hint part of the name, for debugging
   * @return a fresh, empty container: tests never share one
   */
  public static BlobContainerClient newContainer(String hint) {
    String name = (hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "") + "-"
        + UUID.randomUUID().toString().substring(0, 8));
    BlobContainerClient c = blobs().getBlobContainerClient(name.length() > 63 ? name.substring(0, 63) : name);
    c.create();
    return c;
  }

  /**
   * @param dir where to write it
   * @param datastore the datastore name
   * @param container its container
   * @return an offline workspace config with that one datastore (account-key credential)
   */
  public static Path workspaceConfig(Path dir, String datastore, BlobContainerClient container) {
    return workspaceConfig(dir, datastore, container, azurite().accountUrl());
  }

  /**
   * @param accountUrl the account URL the datastore points at (e.g. a test proxy in front of Azurite)
   * @return an offline workspace config with that one datastore (account-key credential)
   */
  public static Path workspaceConfig(Path dir, String datastore, BlobContainerClient container,
      String accountUrl) {
    return new LocalWorkspace()
        .withKeyDatastore(datastore, accountUrl, container.getBlobContainerName(), Azurite.ACCOUNT_KEY)
        .writeTo(dir.resolve("config.json"));
  }

  /**
   * @param container where
   * @param name blob name
   * @param content its bytes (uploaded in one shot, so Azurite stores a Content-MD5)
   */
  public static void put(BlobContainerClient container, String name, byte[] content) {
    container.getBlobClient(name).upload(com.azure.core.util.BinaryData.fromBytes(content), true);
  }

  /** @return bytes of a file, for assertions */
  public static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return a file's text, for assertions */
  public static String readString(Path file) {
    return new String(read(file), java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * @param size how many bytes
   * @param seed the same seed gives the same bytes
   * @return random test content
   */
  public static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  /**
   * @param root a folder
   * @return the regular files below it, sorted (none when it does not exist)
   * @throws IOException when it cannot be walked
   */
  public static java.util.List<Path> files(Path root) throws IOException {
    if (!Files.exists(root)) {
      return java.util.List.of();
    }
    try (java.util.stream.Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  static synchronized void stop() {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
    if (spark != null) {
      spark.stop();
      spark = null;
    }
    if (azurite != null) {
      azurite.close();
      azurite = null;
    }
    if (wasbAzurite != null) {
      wasbAzurite.close();
      wasbAzurite = null;
    }
  }
}
