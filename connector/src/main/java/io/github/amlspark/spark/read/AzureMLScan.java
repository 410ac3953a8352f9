package io.github.amlspark.spark.read;

import io.github.amlspark.progress.TaskProgress;
import io.github.amlspark.config.ReadRequest;
import io.github.amlspark.planning.DownloadTasks;
import io.github.amlspark.planning.PartitionPlanner;
import io.github.amlspark.planning.ReadPlan;
import io.github.amlspark.planning.ReadPlanner;
import io.github.amlspark.spark.HadoopConf;
import io.github.amlspark.transfer.ContentReader;
import io.github.amlspark.transfer.HadoopConfSource;
import io.github.amlspark.transfer.OutputFolder;
import io.github.amlspark.workspace.WorkspaceLocator;
import java.util.Arrays;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import io.github.amlspark.spark.TransferMetrics;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.types.StructType;

/**
 * A planned read. The driver resolves the workspace and datastore, issues the executors' SAS and lists the
 * blobs once; the listing is memoized, so that however often Spark asks, storage is listed once.
 */
public final class AzureMLScan implements Scan, Batch {
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
      int parallelism = spark.sparkContext().defaultParallelism();
      if (request.isDownload()) {
        partitions = DownloadTasks.plan(request, p, hadoopConf(), parallelism).stream()
            .map(task -> new BlobInputPartition(task.files(), p.access(), task.refused()))
            .toArray(InputPartition[]::new);
        return partitions;
      }
      if (Arrays.asList(readSchema.fieldNames()).contains("content")) {
        p.files().stream().filter(f -> f.length() > ContentReader.MAX_CONTENT_BYTES).findFirst()
            .ifPresent(f -> {
              throw new IllegalArgumentException(ContentReader.tooLarge(f));
            });
      }
      partitions = PartitionPlanner.pack(p.files(), request.maxPartitionBytes(), request.openCostInBytes(),
              parallelism).stream()
          .map(files -> new BlobInputPartition(files, p.access(), Map.of()))
          .toArray(InputPartition[]::new);
    }
    return partitions;
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    // Only a Hadoop output folder needs the session's Hadoop configuration on the executors: building and
    // broadcasting it took up to 0.9 s of a fresh JVM's first download in a profile.
    HadoopConfSource conf = request.isDownload() && !localOutput() ? HadoopConf.broadcast(spark, hadoopConf())
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
      hadoopConf = HadoopConf.of(spark);
    }
    return hadoopConf;
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
