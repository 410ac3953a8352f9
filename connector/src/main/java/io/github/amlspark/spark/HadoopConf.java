package io.github.amlspark.spark;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import io.github.amlspark.transfer.HadoopConfSource;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/** A Hadoop configuration that can be broadcast to executors (Configuration itself is not Serializable). */
public final class HadoopConf implements Serializable {
  private static final long serialVersionUID = 1L;

  private transient Configuration conf;

  /** @param conf the configuration to carry */
  public HadoopConf(Configuration conf) {
    this.conf = conf;
  }

  /** @return the configuration */
  public Configuration get() {
    return conf;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    conf.write(out);
  }

  private void readObject(ObjectInputStream in) throws IOException {
    conf = new Configuration(false);
    conf.readFields(in);
  }

  /**
   * @param spark the session whose Hadoop configuration (its {@code spark.hadoop.*} entries included) upload
   *     tasks read their source files with
   * @return that configuration, broadcast once, as each task reaches it
   */
  public static HadoopConfSource broadcast(SparkSession spark) {
    return broadcast(spark, of(spark));
  }

  /**
   * The session's Hadoop configuration as Spark's own sources build it (its session state's
   * {@code newHadoopConf()}: the context's configuration plus every session conf entry), through public API
   * only, since Spark 4.0 keeps the session state on its classic session.
   *
   * @param spark the session
   * @return a new configuration
   */
  public static Configuration of(SparkSession spark) {
    Configuration conf = new Configuration(spark.sparkContext().hadoopConfiguration());
    JavaConverters.mapAsJavaMap(spark.conf().getAll()).forEach((k, v) -> {
      if (v != null) {
        conf.set(k, v);
      }
    });
    return conf;
  }

  /**
   * @param spark the session whose executors receive it
   * @param conf a Hadoop configuration the driver built
   * @return that configuration, broadcast once, as each task reaches it
   */
  public static HadoopConfSource broadcast(SparkSession spark, Configuration conf) {
    Broadcast<HadoopConf> broadcast = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .broadcast(new HadoopConf(conf));
    return () -> broadcast.value().get();
  }
}
