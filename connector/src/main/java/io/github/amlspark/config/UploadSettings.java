package io.github.amlspark.config;

import io.github.amlspark.transfer.RetryPolicy;
import java.time.Duration;
import java.util.Map;

/**
 * How {@code uploadToDatastore} packs and runs its tasks, from the session's {@code spark.azureml.*}
 * entries. Driver-only.
 *
 * @param maxPartitionBytes bytes packed into one task
 * @param openCostInBytes what one file costs when packing
 * @param concurrency files in flight per task
 * @param sasTtl how long the executors' SAS stays valid
 * @param retry how every request is retried
 */
public record UploadSettings(long maxPartitionBytes, long openCostInBytes, int concurrency, Duration sasTtl,
    RetryPolicy retry) {
  /**
   * What one file costs when packing upload tasks unless {@code openCostInBytes} says otherwise: lower than
   * a read's 4 MiB, since opening a local file is cheap and each task keeps many uploads in flight anyway,
   * so small files make fewer, larger tasks (less per-task scheduling and deserialization).
   */
  public static final long DEFAULT_OPEN_COST_IN_BYTES = 512L * 1024;

  /**
   * @param sparkConf the session's conf entries
   * @return the validated settings
   * @throws IllegalArgumentException naming the entry that is wrong
   */
  public static UploadSettings parse(Map<String, String> sparkConf) {
    OptionLookup conf = OptionLookup.of(Map.of(), sparkConf);
    return new UploadSettings(
        conf.bytes(AmlOptions.MAX_PARTITION_BYTES, ReadConf.DEFAULT_MAX_PARTITION_BYTES),
        conf.bytes(AmlOptions.OPEN_COST_IN_BYTES, DEFAULT_OPEN_COST_IN_BYTES),
        conf.positiveInt(AmlOptions.TRANSFER_CONCURRENCY, ReadConf.DEFAULT_CONCURRENCY, ReadConf.MAX_CONCURRENCY),
        ReadConf.sasTtl(conf), ReadConf.retryPolicy(conf));
  }
}
