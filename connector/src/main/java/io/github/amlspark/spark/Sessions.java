package io.github.amlspark.spark;

import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/** The session a caller that was given none works with. */
public final class Sessions {
  private Sessions() {
  }

  /**
   * Never starts one: callers without a session work without Spark.
   *
   * @return this thread's active session, else the default session, else null
   */
  public static SparkSession activeOrNull() {
    return JavaConverters.<SparkSession>asJavaCollection(SparkSession.getActiveSession().toList()).stream()
        .findFirst().orElseGet(() -> JavaConverters.<SparkSession>asJavaCollection(
            SparkSession.getDefaultSession().toList()).stream().findFirst().orElse(null));
  }
}
