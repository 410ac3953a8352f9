package io.github.amlspark.spark.read;

import io.github.amlspark.progress.TaskProgress;
import io.github.amlspark.config.ReadRequest;
import io.github.amlspark.planning.PartitionPlanner;
import io.github.amlspark.planning.ReadPlan;
import io.github.amlspark.planning.ReadPlanner;
import io.github.amlspark.spark.HadoopConf;
import io.github.amlspark.transfer.BlobEntry;
import io.github.amlspark.transfer.ContentReader;
import io.github.amlspark.transfer.OutputFolder;
import io.github.amlspark.transfer.OutputPaths;
import io.github.amlspark.workspace.WorkspaceLocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import io.github.amlspark.spark.TransferMetrics;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A planned read. The driver resolves the workspace and datastore, issues the executors' SAS and lists the
 * blobs once; the listing is memoized, so that however often Spark asks, storage is listed once.
 */
public final class AzureMLScan implements Scan, Batch {
  private static final Logger LOGGER = LoggerFactory.getLogger(AzureMLScan.class);

  private final SparkSession spark;
  private final ReadRequest request;
  private final StructType readSchema;
  private ReadPlan plan;
  private TaskProgress progress;
  private InputPartition[] partitions;
  private Configuration hadoopConf;

  AzureMLScan(SparkSession spark, ReadRequest request, StructType readSchema) {
    this.spark = spark;
    this.request = request;
    this.readSchema = readSchema;
  }

  @Override
  public StructType readSchema() {
    return readSchema;
  }

  @Override
  public String description() {
    // Shown by explain() and the Spark UI: names and paths only, never a credential.
    return "azureml[" + request.describe() + "]";
  }

  @Override
  public Batch toBatch() {
    return this;
  }

  /** @return the listing behind this read, made on first use */
  public synchronized ReadPlan plan() {
    if (plan == null) {
      plan = ReadPlanner.plan(request, WorkspaceLocator.ofProcess());
    }
    return plan;
  }

  /** @return the parsed read */
  public ReadRequest request() {
    return request;
  }

  @Override
  public synchronized InputPartition[] planInputPartitions() {
    if (partitions == null) {
      ReadPlan p = plan();
      Map<String, String> refused = Map.of();
      if (request.isDownload()) {
        prepareOutputFolder();
        refused = OutputPaths.folderConflicts(p.files().stream().map(BlobEntry::path).toList());
        removeLeftovers(p.files());
      } else if (Arrays.asList(readSchema.fieldNames()).contains("content")) {
        p.files().stream().filter(f -> f.length() > ContentReader.MAX_CONTENT_BYTES).findFirst()
            .ifPresent(f -> {
              throw new IllegalArgumentException(ContentReader.tooLarge(f));
            });
      }
      List<List<BlobEntry>> packed = PartitionPlanner.pack(p.files(), request.maxPartitionBytes(),
          request.openCostInBytes(), spark.sparkContext().defaultParallelism());
      Map<String, String> allRefused = refused;
      partitions = packed.stream().map(files -> new BlobInputPartition(files, p.access(),
              files.stream().filter(f -> allRefused.containsKey(f.path()))
                  .collect(Collectors.toMap(BlobEntry::path, f -> allRefused.get(f.path())))))
          .toArray(InputPartition[]::new);
    }
    return partitions;
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    // Only a Hadoop output folder needs the session's Hadoop configuration on the executors: building and
    // broadcasting it took up to 0.9 s of a fresh JVM's first download in a profile.
    Broadcast<HadoopConf> conf = request.isDownload() && !localOutput()
        ? JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(new HadoopConf(hadoopConf()))
        : null;
    return new AzureMLReaderFactory(readSchema, request.transfer(), conf, progress());
  }

  /** @return this read's progress counters, registered with the driver on first use */
  public synchronized TaskProgress progress() {
    if (progress == null) {
      progress = TaskProgress.register(spark.sparkContext());
    }
    return progress;
  }

  private boolean localOutput() {
    return OutputFolder.isLocal(request.transfer().outputFolder());
  }

  /**
   * @return the session's Hadoop configuration, built once per scan (planning, cleanup and the broadcast
   *     share it); null for a local output folder, which needs none
   */
  private synchronized Configuration hadoopConf() {
    if (hadoopConf == null && !localOutput()) {
      hadoopConf = spark.sessionState().newHadoopConf();
    }
    return hadoopConf;
  }

  /** Fails before any transfer when the folder is a file; creates it when missing. */
  private void prepareOutputFolder() {
    String folder = request.transfer().outputFolder();
    try {
      if (localOutput()) {
        java.nio.file.Path local = java.nio.file.Path.of(OutputFolder.toUri(folder));
        if (java.nio.file.Files.exists(local) && !java.nio.file.Files.isDirectory(local)) {
          throw new IllegalArgumentException("Output folder " + folder + " exists and is a file. "
              + "Give a folder path (it is created when missing).");
        }
        java.nio.file.Files.createDirectories(local);
        return;
      }
      Path path = new Path(OutputFolder.toUri(folder));
      FileSystem fs = path.getFileSystem(hadoopConf());
      FileStatus status = fs.exists(path) ? fs.getFileStatus(path) : null;
      if (status != null && !status.isDirectory()) {
        throw new IllegalArgumentException("Output folder " + folder + " exists and is a file. "
            + "Give a folder path (it is created when missing).");
      }
      if (status == null && !fs.mkdirs(path)) {
        throw new IOException("mkdirs returned false");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Output folder " + folder + " could not be created: " + e.getMessage(), e);
    }
  }

  /**
   * Deletes the partial files that killed tasks of earlier downloads left beside the files this one
   * writes: a task that dies with its executor never deletes its temporary file. Best effort: they never
   * sit at a final path.
   */
  private void removeLeftovers(List<BlobEntry> files) {
    String folder = request.transfer().outputFolder();
    List<String> relative = new ArrayList<>(files.size());
    for (BlobEntry file : files) {
      try {
        relative.add(OutputPaths.relativeFile(file.path()));
      } catch (IllegalArgumentException unsafe) {
        // Never written: its task reports it FAILED.
      }
    }
    try {
      int removed = OutputFolder.open(folder, hadoopConf()).removeLeftovers(relative);
      if (removed > 0) {
        LOGGER.info("Removed {} partial files that stopped downloads left in {}.", removed, folder);
      }
    } catch (IOException e) {
      LOGGER.warn("Could not remove the partial files stopped downloads left in {}: {}", folder, e.toString());
    }
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return TransferMetrics.supported();
  }

  @Override
  public String toString() {
    return description();
  }
}
