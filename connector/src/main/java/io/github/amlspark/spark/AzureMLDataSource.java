package io.github.amlspark.spark;

import io.github.amlspark.config.ReadConf;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The Spark data source {@code azureml}: files of Azure ML datastores and runs as rows, or, with
 * {@code outputFolder}, downloaded by the executors with one report row per file.
 */
public final class AzureMLDataSource implements TableProvider, DataSourceRegister {
  /** The short name for {@code format(...)}. */
  public static final String SHORT_NAME = "azureml";

  /** Spark instantiates data sources through this constructor. */
  public AzureMLDataSource() {
  }

  @Override
  public String shortName() {
    return SHORT_NAME;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    // Here and in getTable, not in the constructor: Spark instantiates every registered source while
    // resolving any format name, and an unrelated read must not fail for amlspark's sake.
    ClasspathCheck.verify();
    return Schemas.of(ReadConf.isDownload(options, AzureMLTable.sparkConf(SparkSession.active())));
  }

  /** Writes take the DataFrame's own columns ({@code path} and {@code content} or {@code sourceFile}). */
  @Override
  public boolean supportsExternalMetadata() {
    return true;
  }

  @Override
  public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
    ClasspathCheck.verify();
    return new AzureMLTable(schema, properties);
  }
}
