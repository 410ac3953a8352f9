package io.github.amlspark.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.QueryExecution;

/**
 * The Spark internals the Java API reaches, for Spark 4.0 (Scala 2.13), where {@link SparkSession} and
 * {@link Dataset} are abstract and a query's execution belongs to the "classic" implementations only (a
 * Spark Connect session has none: it sends its plans to a server). The twin for Spark 3.5 is in
 * {@code src/main/spark-3.5}, with the same methods.
 */
public final class SparkInternals {
  private static final String CLASSIC_SESSION = "org.apache.spark.sql.classic.SparkSession";

  private SparkInternals() {
  }

  /**
   * @param spark a session
   * @return the same session, when it is a classic one
   * @throws UnsupportedOperationException for any other session, such as a Spark Connect one
   */
  public static SparkSession requireClassic(SparkSession spark) {
    // By name: a Spark Connect client's classpath may not hold the classic classes at all.
    for (Class<?> c = spark.getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals(CLASSIC_SESSION)) {
        return spark;
      }
    }
    throw new UnsupportedOperationException("The AzureMLFiles Java API needs a classic Spark session, one "
        + "whose driver runs in this JVM; this one is a " + spark.getClass().getName() + " (Spark Connect "
        + "sends its queries to a server, which plans and runs them). Through Spark Connect, use the data "
        + "source: spark.read().format(\"azureml\") with outputFolder for a download, "
        + "df.write().format(\"azureml\") for an upload (docs/java-api.md, \"Spark Connect\").");
  }

  /**
   * @param rows a query on a classic session
   * @return its query execution (plans, metrics)
   * @throws UnsupportedOperationException when the query is not on a classic session
   */
  public static QueryExecution queryExecution(Dataset<?> rows) {
    requireClassic(rows.sparkSession());
    return ((org.apache.spark.sql.classic.Dataset<?>) rows).queryExecution();
  }
}
