package io.github.amlspark.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.metric.SQLMetric;
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
}
