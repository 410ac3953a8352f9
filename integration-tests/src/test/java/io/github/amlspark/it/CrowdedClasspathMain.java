package io.github.amlspark.it;

import io.github.amlspark.AzureMLFiles;
import io.github.amlspark.TransferReport;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What {@link CrowdedClasspathIT} runs in a child JVM whose classpath holds older copies of what the
 * connector bundles: a read with content, a datastore download and an upload, through the public API only,
 * on local[2] Spark (tasks in executor threads). Prints one {@code RESULT} line, and where the classes
 * behind the unrelocated names came from.
 */
public final class CrowdedClasspathMain {
  private CrowdedClasspathMain() {
  }

  /**
   * @param args workspace config, datastore, download folder, upload folder
   */
  public static void main(String[] args) {
    String config = args[0];
    String datastore = args[1];
    for (String name : List.of("com.azure.core.util.CoreUtils", "reactor.core.publisher.Mono",
        "com.microsoft.aad.msal4j.ConfidentialClientApplication", "com.fasterxml.jackson.databind.ObjectMapper")) {
      System.out.println("ORIGIN " + name + " " + origin(name));
    }
    SparkSession spark = SparkSession.builder().master("local[2]").appName("crowded-classpath")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      List<Row> rows = spark.read().format("azureml").option("workspaceConfig", config)
          .option("datastore", datastore).option("prefix", "in/").option("pathGlobFilter", "*.bin").load()
          .select("path", "content").orderBy("path").collectAsList();
      long readBytes = rows.stream().mapToLong(r -> ((byte[]) r.get(1)).length).sum();
      AzureMLFiles files = AzureMLFiles.builder().spark(spark).workspaceConfig(config).build();
      TransferReport down = files.downloadFromDatastore(datastore, "in/", args[2]);
      TransferReport up = files.uploadToDatastore(datastore, args[3], "up");
      System.out.println("RESULT read=" + rows.size() + " readBytes=" + readBytes + " downloaded="
          + down.transferred() + " uploaded=" + up.transferred());
    } finally {
      spark.stop();
    }
  }

  private static String origin(String className) {
    try {
      return Class.forName(className, false, CrowdedClasspathMain.class.getClassLoader()).getProtectionDomain()
          .getCodeSource().getLocation().toString();
    } catch (ClassNotFoundException e) {
      return "absent";
    }
  }
}
