package io.github.amlspark.it;

import io.github.amlspark.AzureMLFiles;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionBuilder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark Connect client program for {@link SparkConnectIT}, run in its own JVM on the Connect client's jar
 * and the amlspark jar. Prints one line per step: {@code read <path>=<content>},
 * {@code download <path>=<status>}, {@code wrote}, {@code facade <exception class>: <message>}.
 */
public final class ConnectClient {
  private ConnectClient() {
  }

  /** @param args the server's sc:// URL, a workspace config file, an output folder */
  public static void main(String[] args) throws Exception {
    String config = args[1];
    // The Connect client's own builder, by name: its jar is kept off the compile classpath.
    SparkSessionBuilder builder = (SparkSessionBuilder) Class.forName("org.apache.spark.sql.connect.SparkSession")
        .getMethod("builder").invoke(null);
    try (SparkSession spark = builder.remote(args[0]).getOrCreate()) {
      for (Row r : spark.read().format("azureml").option("workspaceConfig", config).option("datastore", "ds")
          .option("prefix", "in/").load().select("path", "content").collectAsList()) {
        System.out.println("read " + r.getString(0) + "=" + new String((byte[]) r.get(1), StandardCharsets.UTF_8));
      }
      for (Row r : spark.read().format("azureml").option("workspaceConfig", config).option("datastore", "ds")
          .option("prefix", "in/").option("outputFolder", args[2]).load().select("path", "status")
          .collectAsList()) {
        System.out.println("download " + r.getString(0) + "=" + r.getString(1));
      }
      StructType schema = new StructType().add("path", DataTypes.StringType).add("content", DataTypes.BinaryType);
      spark.createDataFrame(List.of(RowFactory.create("b.txt", "beta".getBytes(StandardCharsets.UTF_8))), schema)
          .write().format("azureml").option("workspaceConfig", config).option("datastore", "ds")
          .option("path", "up").mode("append").save();
      System.out.println("wrote");
      try {
        AzureMLFiles.builder().spark(spark).workspaceConfig(config).build();
        System.out.println("facade built");
      } catch (RuntimeException | LinkageError e) {
        System.out.println("facade " + e.getClass().getName() + ": " + e.getMessage());
      }
    }
  }
}
