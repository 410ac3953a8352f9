package io.github.amlspark.spark.read;

import io.github.amlspark.progress.TaskProgress;
import io.github.amlspark.config.TransferSettings;
import io.github.amlspark.transfer.HadoopConfSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.types.StructType;

/** Creates, on executors, the reader of each task: a download or a plain read. */
final class AzureMLReaderFactory implements PartitionReaderFactory {
  private static final long serialVersionUID = 1L;

  private final StructType readSchema;
  private final TransferSettings settings;
  private final HadoopConfSource hadoopConf;
  private final TaskProgress progress;

  /**
   * @param hadoopConf the driver's Hadoop configuration, for downloads into Hadoop folders; null for plain
   *     reads and local output folders
   */
  AzureMLReaderFactory(StructType readSchema, TransferSettings settings, HadoopConfSource hadoopConf,
      TaskProgress progress) {
    this.readSchema = readSchema;
    this.settings = settings;
    this.hadoopConf = hadoopConf;
    this.progress = progress;
  }

  @Override
  public PartitionReader<InternalRow> createReader(InputPartition partition) {
    BlobInputPartition p = (BlobInputPartition) partition;
    if (settings.outputFolder() == null) {
      return new ContentPartitionReader(p, readSchema, settings, progress.newListener());
    }
    try {
      Configuration conf = hadoopConf == null ? null : hadoopConf.get();
      return new DownloadPartitionReader(p, readSchema, settings, conf, progress.newListener());
    } catch (IOException e) {
      throw new UncheckedIOException("Output folder " + settings.outputFolder() + " cannot be reached: "
          + e.getMessage(), e);
    }
  }
}
