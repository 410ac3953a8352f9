package io.github.amlspark.harness;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.TransferOptions;
import io.github.amlspark.TransferReport;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.spark.sql.SparkSession;

/**
 * The main job on the embedded default: Azurite plus local Spark, no Azure account. Starts the emulator,
 * seeds a few files into the datastores of {@code conf/workspace-azurite.json}, downloads them through
 * Spark and prints the transfer reports. Run it with {@code bin/demo}.
 */
public final class Demo {
  private static final int AZURITE_PORT = 10000;

  private Demo() {
  }

  /**
   * @param args optional: the output folder (default {@code demo-output})
   * @throws Exception when the demo cannot run
   */
  public static void main(String[] args) throws Exception {
    Path repo = Path.of(System.getProperty("amlspark.repo", "."));
    Path output = Path.of(args.length > 0 ? args[0] : "demo-output").toAbsolutePath();
    try (Azurite azurite = Azurite.start(repo.resolve("integration-tests"), portFree(AZURITE_PORT) ? AZURITE_PORT : 0)) {
      Path config = configFor(repo.resolve("conf/workspace-azurite.json"), azurite);
      seed(azurite);
      SparkSession spark = SparkSession.builder().master("local[*]").appName("amlspark-demo")
          .config("spark.ui.enabled", "false").getOrCreate();
      AzureMLFiles files = AzureMLFiles.builder().spark(spark).workspaceConfig(config.toString()).build();

      System.out.println("\n== Files under foo/ in datastore workspaceblobstore (spark.read, listing only)");
      spark.read().format("azureml").option("workspaceConfig", config.toString())
          .option("datastore", "workspaceblobstore").option("prefix", "foo/").load()
          .select("path", "length", "contentMd5").show(false);

      System.out.println("== downloadFromDatastore(\"workspaceblobstore\", \"foo/bar\", \"" + output + "\")");
      TransferReport report = files.downloadFromDatastore("workspaceblobstore", "foo/bar", output.toString());
      report.toDataFrame().select("path", "file", "length", "status").show(false);
      System.out.println(report.summary());

      System.out.println("\n== The same again: existing files are skipped (overwrite=false)");
      System.out.println(files.downloadFromDatastore("workspaceblobstore", "foo/bar", output.toString()).summary());

      System.out.println("\n== A 64 MiB checkpoint with validateChecksum=true and a progress bar");
      TransferReport checked = files.downloadFromDatastore("workspaceblobstore", "checkpoints/", output.toString(),
          TransferOptions.defaults().validateChecksum(true).showProgress(true));
      checked.toDataFrame().select("path", "length", "contentMd5", "status", "checksumVerified").show(false);
      System.out.println(checked.summary());
      System.out.println("\nDownloaded into " + output);
      spark.stop();
    }
  }

  private static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 0, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /** The shipped config names port 10000; when that port is taken, a copy names the one in use. */
  private static Path configFor(Path shipped, Azurite azurite) throws IOException {
    if (azurite.port() == AZURITE_PORT) {
      return shipped;
    }
    Path copy = Files.createTempFile("amlspark-demo", ".json");
    Files.writeString(copy, Files.readString(shipped).replace("127.0.0.1:" + AZURITE_PORT, "127.0.0.1:" + azurite.port()));
    copy.toFile().deleteOnExit();
    return copy;
  }

  private static void seed(Azurite azurite) {
    BlobServiceClient service = new BlobServiceClientBuilder().connectionString(azurite.connectionString())
        .buildClient();
    BlobContainerClient data = service.createBlobContainer("data");
    service.createBlobContainer("azureml");
    data.getBlobClient("foo/bar/1.txt").upload(BinaryData.fromString("first file\n"));
    data.getBlobClient("foo/bar/2.txt").upload(BinaryData.fromString("second file\n"));
    data.getBlobClient("foo/bar/nested/3.csv").upload(BinaryData.fromString("a,b\n1,2\n"));
    data.getBlobClient("foo/other.txt").upload(BinaryData.fromBytes("not under foo/bar\n".getBytes(StandardCharsets.UTF_8)));
    byte[] checkpoint = new byte[64 * 1024 * 1024];
    new Random(42).nextBytes(checkpoint);
    data.getBlobClient("checkpoints/epoch_10.ckpt").upload(BinaryData.fromBytes(checkpoint));
  }
}
