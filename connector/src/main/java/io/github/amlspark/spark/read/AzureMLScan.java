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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
 * blobs once; the listing is memoized, so that however often Spark asks, storage is listed once. A read of
 * several paths ({@code load(p1, p2, ...)}) reads the union of their files.
 */
public final class AzureMLScan implements Scan, Batch {
  private final SparkSession spark;
  private final List<ReadRequest> requests;
  // The paths' requests differ only in what they read: the settings of the first apply to all.
  private final ReadRequest request;
  private final StructType readSchema;
  private List<ReadPlan> plans;
  private TaskProgress progress;
  private InputPartition[] partitions;
  private Configuration hadoopConf;

  AzureMLScan(SparkSession spark, List<ReadRequest> requests, StructType readSchema) {
    this.spark = spark;
    this.requests = List.copyOf(requests);
    this.request = requests.get(0);
    this.readSchema = readSchema;
  }

  @Override
  public StructType readSchema() {
    return readSchema;
  }

  @Override
  public String description() {
    // Shown by explain() and the Spark UI: names and paths only, never a credential.
    return "azureml[" + requests.stream().map(ReadRequest::describe).collect(Collectors.joining("; ")) + "]";
  }

  @Override
  public Batch toBatch() {
    return this;
  }

  /** @return the parsed read (of several paths: the first, whose settings apply to all) */
  public ReadRequest request() {
    return request;
  }

  /** @return the listings behind this read, one per container, made on first use */
  public synchronized List<ReadPlan> plans() {
    if (plans == null) {
      plans = ReadPlanner.planAll(requests, WorkspaceLocator.ofProcess());
    }
    return plans;
  }

  /**
   * @return the listing of a read of one path (the Java API's reads)
   * @throws IllegalStateException when the read has several containers' listings
   */
  public ReadPlan plan() {
    List<ReadPlan> p = plans();
    if (p.size() != 1) {
      throw new IllegalStateException("This read lists " + p.size() + " containers, not one.");
    }
    return p.get(0);
  }

  @Override
  public synchronized InputPartition[] planInputPartitions() {
    if (partitions == null) {
      int parallelism = spark.sparkContext().defaultParallelism();
      boolean content = Arrays.asList(readSchema.fieldNames()).contains("content");
      List<InputPartition> all = new ArrayList<>();
      for (ReadPlan p : plans()) {
        if (request.isDownload()) {
          DownloadTasks.plan(request, p, hadoopConf(), parallelism).forEach(
              task -> all.add(new BlobInputPartition(task.files(), p.access(), task.refused())));
          continue;
        }
        if (content) {
          p.files().stream().filter(f -> f.length() > ContentReader.MAX_CONTENT_BYTES).findFirst()
              .ifPresent(f -> {
                throw new IllegalArgumentException(ContentReader.tooLarge(f));
              });
        }
        PartitionPlanner.pack(p.files(), request.maxPartitionBytes(), request.openCostInBytes(), parallelism)
            .forEach(files -> all.add(new BlobInputPartition(files, p.access(), Map.of())));
      }
      partitions = all.toArray(InputPartition[]::new);
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
