package io.github.amlspark.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.QueryExecution;

/**
 * The Spark internals the Java API reaches, for Spark 3.5 (Scala 2.12). Spark 4.0 keeps them on its
 * "classic" session and Dataset only; connector-spark4 compiles its twin in {@code src/main/spark-4.0}
 * with the same methods.
 */
public final class SparkInternals {
  private SparkInternals() {
  }

  /**
   * @param spark a session
   * @return the same session: every Spark 3.5 session in a driver is a classic one (a Spark Connect client
   *     is a separate program without DataSource V2)
   */
  public static SparkSession requireClassic(SparkSession spark) {
    return spark;
  }

  /**
   * @param rows a query
   * @return its query execution (plans, metrics)
   */
  public static QueryExecution queryExecution(Dataset<?> rows) {
    return rows.queryExecution();
  }
}
