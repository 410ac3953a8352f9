package io.github.amlspark.spark.read;

import io.github.amlspark.config.ReadRequest;
import io.github.amlspark.spark.Schemas;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.types.StructType;

/** Builds a read, pruning columns: a query without {@code content} lists blobs and never GETs them. */
public final class AzureMLScanBuilder implements ScanBuilder, SupportsPushDownRequiredColumns {
  private final SparkSession spark;
  private final List<ReadRequest> requests;
  private StructType readSchema;

  /**
   * @param spark the session
   * @param requests the parsed read, one request per path ({@link io.github.amlspark.config.ReadConf#parseAll})
   */
  public AzureMLScanBuilder(SparkSession spark, List<ReadRequest> requests) {
    this.spark = spark;
    this.requests = requests;
    this.readSchema = Schemas.of(requests.get(0).isDownload());
  }

  @Override
  public void pruneColumns(StructType requiredSchema) {
    this.readSchema = requiredSchema;
  }

  @Override
  public Scan build() {
    return new AzureMLScan(spark, requests, readSchema);
  }
}
