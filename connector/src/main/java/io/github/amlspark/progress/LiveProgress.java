package io.github.amlspark.progress;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.collection.JavaConverters;

/**
 * A transfer's progress while its tasks run: the accumulators' merged values (finished tasks) plus what
 * running tasks reported in their executors' heartbeats ({@code spark.executor.heartbeatInterval}), so a
 * progress display moves before any task finishes.
 */
final class LiveProgress extends SparkListener implements ProgressSource {
  private final TaskProgress progress;
  // Per running task: its latest reported files and bytes.
  private final ConcurrentMap<Long, long[]> running = new ConcurrentHashMap<>();

  LiveProgress(TaskProgress progress) {
    this.progress = progress;
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    // var: the Seq is scala.collection.Seq on Scala 2.12 and immutable.Seq on 2.13.
    for (var task : JavaConverters.seqAsJavaList(update.accumUpdates())) {
      long taskId = (Long) task._1();
      for (AccumulableInfo info : JavaConverters.seqAsJavaList(task._4())) {
        int slot = info.id() == progress.files().id() ? 0 : info.id() == progress.bytes().id() ? 1 : -1;
        if (slot >= 0 && info.update().isDefined() && info.update().get() instanceof Long value) {
          running.computeIfAbsent(taskId, id -> new long[2])[slot] = value;
        }
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    // Its final counts are in the accumulators now.
    running.remove(end.taskInfo().taskId());
  }

  /** @return files done, finished tasks and running ones together */
  @Override
  public long files() {
    return progress.files().value() + running.values().stream().mapToLong(c -> c[0]).sum();
  }

  /** @return bytes done, finished tasks and running ones together */
  @Override
  public long bytes() {
    return progress.bytes().value() + running.values().stream().mapToLong(c -> c[1]).sum();
  }
}
