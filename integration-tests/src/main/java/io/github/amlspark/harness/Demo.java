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
 * seeds a sample run (outputs, logs, checkpoints) and a few datastore files into the datastores of
 * {@code conf/workspace-azurite.json}, downloads the run's files and checkpoints and the datastore files
 * through Spark, uploads a folder back, and prints the transfer reports. Run it with
 * {@code bin/amlspark demo}.
 */
public final class Demo {
  private static final int AZURITE_PORT = 10000;
  private static final String RUN = "demo_run_1";

  private Demo() {
  }

  /**
   * @param args optional: the output folder (default {@code demo-output}); its {@code run/},
   *     {@code checkpoints/} and {@code data/} folders receive the downloads
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

      System.out.println("\n== Files of run " + RUN + " (spark.read, listing only: no content is fetched)");
      spark.read().format("azureml").option("workspaceConfig", config.toString()).option("runId", RUN).load()
          .select("path", "length", "contentMd5").orderBy("path").show(false);

      System.out.println("== downloadFilesFromRunId(\"" + RUN + "\", \"" + output.resolve("run") + "\")");
      TransferReport run = files.downloadFilesFromRunId(RUN, output.resolve("run").toString());
      run.toDataFrame().select("path", "file", "length", "status").orderBy("path").show(false);
      System.out.println(run.summary());

      System.out.println("\n== downloadCheckpointsFromRunId: outputs/checkpoints, every byte checked against its MD5,"
          + " with a progress bar");
      TransferReport checkpoints = files.downloadCheckpointsFromRunId(RUN, output.resolve("checkpoints").toString(),
          TransferOptions.defaults().showProgress(true));
      checkpoints.toDataFrame().select("path", "length", "contentMd5", "status", "checksumVerified").show(false);
      System.out.println(checkpoints.summary());

      System.out.println("\n== downloadFromDatastore(\"workspaceblobstore\", \"foo/bar\", ...), then again: "
          + "existing files are skipped");
      System.out.println(files.downloadFromDatastore("workspaceblobstore", "foo/bar", output.resolve("data").toString())
          .summary());
      System.out.println(files.downloadFromDatastore("workspaceblobstore", "foo/bar", output.resolve("data").toString())
          .summary());

      System.out.println("\n== uploadToDatastore: the run's outputs back to workspaceblobstore under uploads/"
          + RUN);
      TransferReport upload = files.uploadToDatastore("workspaceblobstore",
          output.resolve("run/outputs").toString(), "uploads/" + RUN);
      upload.toDataFrame().select("path", "length", "contentMd5", "status").orderBy("path").show(false);
      System.out.println(upload.summary());
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
    BlobContainerClient artifacts = service.createBlobContainer("azureml");
    data.getBlobClient("foo/bar/1.txt").upload(BinaryData.fromString("first file\n"));
    data.getBlobClient("foo/bar/2.txt").upload(BinaryData.fromString("second file\n"));
    data.getBlobClient("foo/bar/nested/3.csv").upload(BinaryData.fromString("a,b\n1,2\n"));
    data.getBlobClient("foo/other.txt").upload(BinaryData.fromBytes("not under foo/bar\n".getBytes(StandardCharsets.UTF_8)));
    String root = "ExperimentRun/dcid." + RUN + "/";
    artifacts.getBlobClient(root + "outputs/metrics.json").upload(BinaryData.fromString("{\"accuracy\": 0.93}\n"));
    artifacts.getBlobClient(root + "outputs/predictions.csv").upload(BinaryData.fromString("id,label\n1,cat\n2,dog\n"));
    artifacts.getBlobClient(root + "logs/std_log.txt").upload(BinaryData.fromString("epoch 10 done\n"));
    byte[] checkpoint = new byte[64 * 1024 * 1024];
    new Random(42).nextBytes(checkpoint);
    artifacts.getBlobClient(root + "outputs/checkpoints/epoch_10.ckpt").upload(BinaryData.fromBytes(checkpoint));
    artifacts.getBlobClient(root + "outputs/checkpoints/best.ckpt")
        .upload(BinaryData.fromBytes(java.util.Arrays.copyOf(checkpoint, 8 * 1024 * 1024)));
  }
}
