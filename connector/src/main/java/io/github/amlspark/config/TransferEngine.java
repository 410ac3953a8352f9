package io.github.amlspark.config;

import java.util.Locale;
import java.util.Map;

/** Where the Java API runs a transfer's tasks ({@link AmlOptions#TRANSFER_ENGINE}). */
public enum TransferEngine {
  /** In this JVM's threads when Spark is local or absent, a Spark job otherwise. */
  AUTO,
  /** Always a Spark job. */
  SPARK;

  /**
   * @param sparkConf the session's Spark conf entries (or the JVM's {@code spark.*} system properties)
   * @return the choice
   * @throws IllegalArgumentException for an unknown value, naming the known ones
   */
  public static TransferEngine parse(Map<String, String> sparkConf) {
    String key = AmlOptions.SPARK_CONF_PREFIX + AmlOptions.TRANSFER_ENGINE;
    String value = sparkConf.getOrDefault(key, "auto").trim();
    try {
      return valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + key + "' must be auto or spark, not '" + value + "'.", e);
    }
  }
}
