package io.github.amlspark.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.network.util.JavaUtils;

/**
 * Looks an option up with amlspark's precedence: the read/write option, then the Spark conf entry
 * {@code spark.azureml.<key>}, then the caller's default. Keys are case-insensitive. Parse errors name
 * the option and the accepted values but never echo a value that could be a secret.
 */
public final class OptionLookup {
  private final Map<String, String> options;
  private final Map<String, String> sessionConf;

  private OptionLookup(Map<String, String> options, Map<String, String> sessionConf) {
    this.options = options;
    this.sessionConf = sessionConf;
  }

  /**
   * @param options the read or write options
   * @param sparkConf the session's Spark conf entries (only {@code spark.azureml.*} ones are used)
   * @return the lookup
   */
  public static OptionLookup of(Map<String, String> options, Map<String, String> sparkConf) {
    Map<String, String> opts = new HashMap<>();
    options.forEach((k, v) -> opts.put(k.toLowerCase(Locale.ROOT), v));
    Map<String, String> conf = new HashMap<>();
    sparkConf.forEach((k, v) -> {
      if (k.startsWith(AmlOptions.SPARK_CONF_PREFIX)) {
        conf.put(k.substring(AmlOptions.SPARK_CONF_PREFIX.length()).toLowerCase(Locale.ROOT), v);
      }
    });
    return new OptionLookup(opts, conf);
  }

  /**
   * @return the JVM's {@code spark.*} system properties: the Spark conf entries a process without a
   *     session has, as a session would take them from the same properties
   */
  public static Map<String, String> systemSparkConf() {
    Map<String, String> conf = new HashMap<>();
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("spark."))
        .forEach(k -> conf.put(k, System.getProperty(k)));
    return conf;
  }

  /**
   * @param key an {@link AmlOptions} key
   * @return the non-blank value, from the options first and the Spark conf second
   */
  public Optional<String> get(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    String v = options.containsKey(k) ? options.get(k) : sessionConf.get(k);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  /**
   * @param key an {@link AmlOptions} key
   * @param defaultValue used when unset
   * @return the boolean value
   * @throws IllegalArgumentException when the value is not true or false
   */
  public boolean bool(String key, boolean defaultValue) {
    return get(key).map(v -> {
      if (v.equalsIgnoreCase("true")) {
        return true;
      }
      if (v.equalsIgnoreCase("false")) {
        return false;
      }
      throw new IllegalArgumentException("Option '" + key + "' must be true or false, but was '" + v + "'.");
    }).orElse(defaultValue);
  }

  /**
   * @param key an {@link AmlOptions} key
   * @param defaultValue used when unset
   * @return the value, at least 1
   * @throws IllegalArgumentException when the value is not a positive whole number
   */
  public long positiveLong(String key, long defaultValue) {
    return get(key).map(v -> {
      try {
        long n = Long.parseLong(v);
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          "Option '" + key + "' must be a positive whole number, but was '" + v + "'.");
    }).orElse(defaultValue);
  }

  /**
   * @param key an {@link AmlOptions} key
   * @param defaultValue used when unset
   * @param min the shortest accepted value
   * @param max the longest accepted value
   * @return the duration, given as a Spark time string such as {@code 30m}, {@code 8h} or {@code 2d}
   * @throws IllegalArgumentException when the value is not a time string or out of range
   */
  public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
    Duration d = get(key).map(v -> {
      try {
        return Duration.ofSeconds(JavaUtils.timeStringAsSec(v));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Option '" + key + "' must be a duration such as 30m, 8h or 2d, "
            + "but was '" + v + "'.");
      }
    }).orElse(defaultValue);
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException("Option '" + key + "' must be between " + min.toMinutes()
          + " minutes and " + max.toDays() + " days, but was " + d.toMinutes() + " minutes.");
    }
    return d;
  }

  /**
   * @param key an {@link AmlOptions} key
   * @param defaultValue used when unset
   * @param max the largest accepted value
   * @return the value, between 1 and max
   * @throws IllegalArgumentException when out of range
   */
  public int positiveInt(String key, int defaultValue, int max) {
    long n = positiveLong(key, defaultValue);
    if (n > max) {
      throw new IllegalArgumentException(
          "Option '" + key + "' must be at most " + max + ", but was " + n + ".");
    }
    return (int) n;
  }
}
