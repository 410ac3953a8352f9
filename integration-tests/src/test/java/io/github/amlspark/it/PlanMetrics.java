package io.github.amlspark.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.util.QueryExecutionListener;
import scala.collection.JavaConverters;

/** The SQL metrics of an executed plan, as the Spark UI's SQL tab shows them. */
final class PlanMetrics {
  private PlanMetrics() {
  }

  /** @return every metric of every node of the plan, by name (summed over nodes) */
  static Map<String, Long> of(SparkPlan plan) {
    Map<String, Long> all = new HashMap<>();
    List<SparkPlan> nodes = new ArrayList<>(List.of(plan));
    while (!nodes.isEmpty()) {
      SparkPlan node = nodes.remove(0);
      for (Map.Entry<String, SQLMetric> m : JavaConverters.mapAsJavaMap(node.metrics()).entrySet()) {
        all.merge(m.getKey(), m.getValue().value(), Long::sum);
      }
      nodes.addAll(JavaConverters.seqAsJavaList(node.children()));
      if (node instanceof AdaptiveSparkPlanExec adaptive) {
        nodes.add(adaptive.executedPlan());
      }
    }
    return all;
  }

  /**
   * @param spark the session that runs the write
   * @param write runs one {@code azureml} write
   * @return the metrics of that write's executed plan
   * @throws TimeoutException when the session's listeners do not catch up within 30 s
   */
  static Map<String, Long> ofWrite(SparkSession spark, Runnable write) throws TimeoutException {
    AtomicReference<QueryExecution> written = new AtomicReference<>();
    QueryExecutionListener listener = new QueryExecutionListener() {
      @Override
      public void onSuccess(String funcName, QueryExecution qe, long durationNs) {
        if (qe.executedPlan().toString().contains("azureml")) {
          written.set(qe);
        }
      }

      @Override
      public void onFailure(String funcName, QueryExecution qe, Exception exception) {
      }
    };
    spark.listenerManager().register(listener);
    try {
      write.run();
      spark.sparkContext().listenerBus().waitUntilEmpty(30_000);
    } finally {
      spark.listenerManager().unregister(listener);
    }
    if (written.get() == null) {
      throw new IllegalStateException("The azureml write's execution was not seen.");
    }
    return of(written.get().executedPlan());
  }
}
