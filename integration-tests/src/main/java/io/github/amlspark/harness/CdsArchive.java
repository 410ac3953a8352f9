package io.github.amlspark.harness;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Builds {@code bin/amlspark}'s application class-data-sharing archive: the command line's classes
 * (picocli, the connector, the Azure SDK, Jackson, Hadoop's configuration, the JDK's HTTP client) parsed and
 * laid out once, so that each fresh {@code bin/amlspark} process maps them instead of loading them from 160
 * jars. The training run is a real download against an in-memory Azurite (small files and a blob of
 * several ranges) on exactly the classpath {@code bin/amlspark} runs with; the archive holds the classes it
 * loaded (an upload's own few are loaded from the jars as usual). Run by
 * {@code bin/harness} after a build, or whenever the connector jar is newer than the archive.
 */
public final class CdsArchive {
  private static final String CLI = "io.github.amlspark.cli.AmlSparkCli";

  private CdsArchive() {
  }

  /**
   * @param args the archive to write, then the classpath {@code bin/amlspark} runs with (jars only: an
   *     archive cannot hold classes from a folder)
   * @throws Exception when the archive cannot be built
   */
  public static void main(String[] args) throws Exception {
    Path archive = Path.of(args[0]).toAbsolutePath();
    String classPath = args[1];
    Path work = Files.createTempDirectory("amlspark-cds");
    try (Azurite azurite = Azurite.start(Azurite.harnessHome(), 0)) {
      BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
          .buildClient().createBlobContainer("training");
      Random random = new Random(1);
      for (int i = 0; i < 20; i++) {
        byte[] data = new byte[16 * 1024];
        random.nextBytes(data);
        container.getBlobClient("small/f" + i).upload(BinaryData.fromBytes(data), true);
      }
      byte[] large = new byte[40 * 1024 * 1024];
      random.nextBytes(large);
      container.getBlobClient("large/big.bin").upload(BinaryData.fromBytes(large), true);
      Path config = new LocalWorkspace().withKeyDatastore("training", azurite.accountUrl(), "training",
          Azurite.ACCOUNT_KEY).writeTo(work.resolve("config.json"));
      // A dynamic archive, dumped when the training process exits, on top of the JDK's own. (One process:
      // a static dump from the class lists of several crashed this JDK's archiver.)
      Path dumped = work.resolve("amlspark.jsa");
      List<String> command = new ArrayList<>(List.of(java(), "-XX:ArchiveClassesAtExit=" + dumped,
          "-Damlspark.progress=plain"));
      command.addAll(opens());
      command.addAll(List.of("-cp", classPath, CLI, "download-datastore", "--datastore", "training", "--output",
          work.resolve("out").toString(), "--workspace-config", config.toString(), "--progress"));
      run(work, command);
      Files.createDirectories(archive.getParent());
      // Renamed into place: a bin/amlspark starting meanwhile never maps half an archive.
      Files.move(dumped, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      System.err.printf("Class-data-sharing archive for bin/amlspark: %s (%,d MiB)%n", archive,
          Files.size(archive) >> 20);
    } finally {
      Benchmark.deleteTree(work);
    }
  }

  private static List<String> opens() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")).toList();
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void run(Path work, List<String> command) throws IOException, InterruptedException {
    Path log = work.resolve("training.log");
    Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("The class-data-sharing training run failed: "
          + Files.readString(log));
    }
  }
}
