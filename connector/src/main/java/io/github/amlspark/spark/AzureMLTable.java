package io.github.amlspark.spark;

import io.github.amlspark.config.ReadConf;
import io.github.amlspark.config.ReadRequest;
import io.github.amlspark.config.WriteConf;
import io.github.amlspark.spark.read.AzureMLScanBuilder;
import io.github.amlspark.spark.write.AzureMLWriteBuilder;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.SupportsWrite;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import scala.collection.JavaConverters;

/** The files behind one read of the {@code azureml} source. */
final class AzureMLTable implements SupportsRead, SupportsWrite {
  private final StructType schema;
  private final Map<String, String> properties;

  /**
   * @param schema the table's schema
   * @param properties the options the table was defined with (a temporary view's OPTIONS)
   */
  AzureMLTable(StructType schema, Map<String, String> properties) {
    this.schema = schema;
    this.properties = Map.copyOf(properties);
  }

  @Override
  public String name() {
    return "azureml";
  }

  // Spark 3.5 deprecates schema() for columns(), whose default is derived from it; Spark 3.3 and 3.4 need it.
  @SuppressWarnings("deprecation")
  @Override
  public StructType schema() {
    return schema;
  }

  @Override
  public Set<TableCapability> capabilities() {
    // TRUNCATE only so that mode("overwrite") reaches our builder and its explanation; the builder checks
    // the written columns itself.
    return EnumSet.of(TableCapability.BATCH_READ, TableCapability.BATCH_WRITE, TableCapability.TRUNCATE,
        TableCapability.ACCEPT_ANY_SCHEMA);
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
    SparkSession spark = SparkSession.active();
    List<ReadRequest> requests = ReadConf.parseAll(options, sparkConf(spark));
    ReadRequest request = requests.get(0);
    // The schema was fixed when the table was defined (a view keeps it); a session-wide outputFolder set
    // or unset since then would make the rows disagree with it.
    if (!Schemas.of(request.isDownload()).equals(schema)) {
      throw new IllegalStateException("This read " + (request.isDownload() ? "downloads (outputFolder is set)"
          : "lists files (no outputFolder)") + " but its table was defined with the "
          + (request.isDownload() ? "file" : "transfer") + " schema: spark.azureml.outputFolder changed since "
          + "the view was created, or a schema was given to the read. Create the view again, or set "
          + "outputFolder as an option of the read.");
    }
    return new AzureMLScanBuilder(spark, requests);
  }

  @Override
  public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
    SparkSession spark = SparkSession.active();
    // An INSERT INTO a temporary view brings no options of its own: the view's apply, the insert's win.
    Map<String, String> options = new HashMap<>(properties);
    options.putAll(info.options());
    return new AzureMLWriteBuilder(WriteConf.parse(options, sparkConf(spark)), info.schema());
  }

  static Map<String, String> sparkConf(SparkSession spark) {
    return JavaConverters.mapAsJavaMap(spark.conf().getAll());
  }
}
