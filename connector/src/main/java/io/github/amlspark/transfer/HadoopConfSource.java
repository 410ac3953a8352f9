package io.github.amlspark.transfer;

import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;

/**
 * Where a task gets the session's Hadoop configuration (for Hadoop source files and output folders): a
 * Spark broadcast on executors, the driver's own configuration for tasks in its threads.
 */
public interface HadoopConfSource extends Serializable {
  /** @return the configuration */
  Configuration get();
}
