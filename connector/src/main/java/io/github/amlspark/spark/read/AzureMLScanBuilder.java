package io.github.amlspark.spark.read;

import io.github.amlspark.config.ReadRequest;
import io.github.amlspark.spark.Schemas;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.types.StructType;

/** Builds a read, pruning columns: a query without {@code content} lists blobs and never GETs them. */
public final class AzureMLScanBuilder implements ScanBuilder, SupportsPushDownRequiredColumns {
  private final SparkSession spark;
  private final ReadRequest request;
  private StructType readSchema;

  /**
   * @param spark the session
   * @param request the parsed read
   */
  public AzureMLScanBuilder(SparkSession spark, ReadRequest request) {
    this.spark = spark;
    this.request = request;
    this.readSchema = Schemas.of(request.isDownload());
  }

  @Override
  public void pruneColumns(StructType requiredSchema) {
    this.readSchema = requiredSchema;
  }

  @Override
  public Scan build() {
    return new AzureMLScan(spark, request, readSchema);
  }
}
