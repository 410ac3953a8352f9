package io.github.amlspark.harness;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.github.amlspark.FileTransfer;
import io.github.amlspark.OverwriteMode;
import io.github.amlspark.TransferStatus;
import io.github.amlspark.auth.ContainerAccess;
import io.github.amlspark.auth.SecretString;
import io.github.amlspark.storage.AzureBlobWriter;
import io.github.amlspark.transfer.RetryPolicy;
import io.github.amlspark.transfer.TransferListener;
import io.github.amlspark.transfer.UploadEngine;
import io.github.amlspark.transfer.UploadItem;
import io.github.amlspark.transfer.UploadSource;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The measurements behind docs/uploads.md, against an Azurite already running on {@code PORT}:
 * <ul>
 *   <li>{@code setup PORT CONFIG}: creates container {@code probe} and writes a workspace config whose
 *       datastore {@code probe} is it, for {@code bin/amlspark upload} and {@code download-datastore};
 *   <li>{@code blocks PORT FILE RUNS [SIZExIN_FLIGHT ...]}: stages FILE (larger than 256 MiB) with the
 *       upload engine for each layout given (block size in MiB × blocks in flight; default every one of 4,
 *       8, 16, 32 MiB × 4, 8, 16), and prints the median seconds of RUNS.
 * </ul>
 */
public final class UploadProbe {
  private static final int MIB = 1024 * 1024;

  private UploadProbe() {
  }

  /**
   * @param args {@code setup PORT CONFIG} or {@code blocks PORT FILE RUNS [SIZExIN_FLIGHT ...]}
   * @throws Exception when a measurement cannot run
   */
  public static void main(String[] args) throws Exception {
    String accountUrl = "http://127.0.0.1:" + args[1] + "/" + Azurite.ACCOUNT;
    BlobContainerClient container = new BlobServiceClientBuilder()
        .connectionString("DefaultEndpointsProtocol=http;AccountName=" + Azurite.ACCOUNT + ";AccountKey="
            + Azurite.ACCOUNT_KEY + ";BlobEndpoint=" + accountUrl + ";")
        .buildClient().getBlobContainerClient("probe");
    container.createIfNotExists();
    if (args[0].equals("setup")) {
      new LocalWorkspace().withKeyDatastore("probe", accountUrl, "probe", Azurite.ACCOUNT_KEY)
          .writeTo(Path.of(args[2]));
      return;
    }
    Path file = Path.of(args[2]);
    int runs = Integer.parseInt(args[3]);
    String sas = container.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(2),
        BlobContainerSasPermission.parse("racwdl")));
    ContainerAccess access = new ContainerAccess(container.getBlobContainerUrl(), SecretString.ofNullable(sas));
    TransferListener quiet = new TransferListener() {
    };
    UploadSource source = new UploadSource() {
      @Override
      public InputStream open() throws java.io.IOException {
        return Files.newInputStream(file);
      }

      @Override
      public Snapshot snapshot() throws java.io.IOException {
        return new Snapshot(Files.size(file), Files.getLastModifiedTime(file).toInstant());
      }
    };
    List<String> cells = new ArrayList<>(Arrays.asList(args).subList(4, args.length));
    if (cells.isEmpty()) {
      for (int blockMiB : new int[] {4, 8, 16, 32}) {
        for (int inFlight : new int[] {4, 8, 16}) {
          cells.add(blockMiB + "x" + inFlight);
        }
      }
    }
    System.out.println("| block size × blocks in flight | blocks in memory | seconds, median (min–max) | MB/s |");
    System.out.println("|---|---:|---:|---:|");
    int serial = 0;
    for (String cell : cells) {
      int blockMiB = Integer.parseInt(cell.substring(0, cell.indexOf('x')));
      int inFlight = Integer.parseInt(cell.substring(cell.indexOf('x') + 1));
      {
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++) {
          UploadEngine engine = new UploadEngine(new AzureBlobWriter(access, Duration.ofSeconds(60)),
              OverwriteMode.ALWAYS, false, inFlight, RetryPolicy.DEFAULT, quiet, UploadEngine.SINGLE_PUT_BYTES,
              blockMiB * MIB);
          String name = "b" + serial++;
          long start = System.nanoTime();
          FileTransfer r = engine.upload(new UploadItem(file.toString(), name, Files.size(file)), source);
          seconds[i] = (System.nanoTime() - start) / 1e9;
          if (r.status() != TransferStatus.TRANSFERRED) {
            throw new IllegalStateException(r.error());
          }
          container.getBlobClient(name).delete();
        }
        Arrays.sort(seconds);
        System.out.println(String.format(Locale.ROOT, "| %d MiB × %d | %d MiB | %.2f s (%.2f–%.2f) | %.0f |",
            blockMiB, inFlight, blockMiB * inFlight, seconds[runs / 2], seconds[0], seconds[runs - 1],
            Files.size(file) / seconds[runs / 2] / 1e6));
      }
    }
  }
}
