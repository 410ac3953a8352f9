package io.github.amlspark.spark;

import io.github.amlspark.config.ReadConf;
import io.github.amlspark.hadoop.AzureMLFileSystem;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
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
  /** Where Hadoop looks first for the class of a scheme's file system. */
  private static final String FILE_SYSTEM_IMPL = "fs." + AzureMLFileSystem.SCHEME + ".impl";

  /**
   * Spark instantiates data sources through this constructor, every registered one whenever it looks up
   * any format ({@code spark.read.parquet} and {@code CREATE TABLE … USING csv} included), before it
   * resolves a path: the moment to name the {@code azureml://} file system in the session's Hadoop
   * configuration. Hadoop scans for {@code FileSystem} services once per JVM, so a jar added after that
   * scan ({@code spark-submit --jars} or {@code --packages}, a notebook's library) is never found by it.
   */
  public AzureMLDataSource() {
    SparkSession spark = Sessions.activeOrNull();
    if (spark != null) {
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      if (conf.get(FILE_SYSTEM_IMPL) == null) {
        conf.set(FILE_SYSTEM_IMPL, AzureMLFileSystem.class.getName());
      }
    }
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
