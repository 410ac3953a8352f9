package io.github.amlspark.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;
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
   * The value of a typed option (boolean, number, size, duration, mode), trimmed. Unlike {@link #get}, a
   * value that is set but blank is an error rather than unset: PySpark and SQL send every value as a string,
   * and an empty one is a mistake (as for Spark's own typed options), not a request for the default.
   *
   * @param key an {@link AmlOptions} key
   * @param accepted what the option accepts, for the message
   * @return the trimmed value, empty when unset
   * @throws IllegalArgumentException when the value is blank
   */
  public Optional<String> typed(String key, String accepted) {
    String k = key.toLowerCase(Locale.ROOT);
    String v = options.containsKey(k) ? options.get(k) : sessionConf.get(k);
    if (v != null && v.isBlank()) {
      throw new IllegalArgumentException(name(key) + " is empty: it must be " + accepted
          + " (or be left unset for its default).");
    }
    return Optional.ofNullable(v).map(String::trim);
  }

  /**
   * @param key an {@link AmlOptions} key
   * @return how messages name it: the read or write option, or the Spark conf entry it came from
   */
  public String name(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return options.containsKey(k) || !sessionConf.containsKey(k) ? "Option '" + key + "'"
        : "Spark conf entry '" + AmlOptions.SPARK_CONF_PREFIX + key + "'";
  }

  /**
   * @param key an {@link AmlOptions} key
   * @param defaultValue used when unset
   * @return the boolean value: {@code true} or {@code false} in any case, surrounding spaces ignored, as
   *     Spark parses its own boolean options and conf entries
   * @throws IllegalArgumentException when the value is anything else
   */
  public boolean bool(String key, boolean defaultValue) {
    String accepted = "true or false (in any case)";
    return typed(key, accepted).map(v -> {
      if (v.equalsIgnoreCase("true")) {
        return true;
      }
      if (v.equalsIgnoreCase("false")) {
        return false;
      }
      throw new IllegalArgumentException(name(key) + " must be " + accepted + ", but was '" + v + "'.");
    }).orElse(defaultValue);
  }

  /**
   * @param key an {@link AmlOptions} key
   * @param defaultValue used when unset
   * @return the value, at least 1
   * @throws IllegalArgumentException when the value is not a positive whole number
   */
  public long positiveLong(String key, long defaultValue) {
    return positive(key, defaultValue, "a positive whole number", Long::parseLong);
  }

  /**
   * @param key an {@link AmlOptions} key
   * @param defaultValue used when unset
   * @return the size in bytes, at least 1: a number of bytes ({@code 1048576}) or a Spark size string
   *     ({@code 64k}, {@code 1m}, {@code 1MB}, {@code 2g}), as {@code spark.sql.files.maxPartitionBytes}
   *     takes it
   * @throws IllegalArgumentException when the value is not a positive size
   */
  public long bytes(String key, long defaultValue) {
    return positive(key, defaultValue, "a positive size in bytes such as 1048576, 64k, 1m, 1MB or 2g",
        JavaUtils::byteStringAsBytes);
  }

  private long positive(String key, long defaultValue, String accepted, ToLongFunction<String> parser) {
    return typed(key, accepted).map(v -> {
      try {
        long n = parser.applyAsLong(v);
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(name(key) + " must be " + accepted + ", but was '" + v + "'.");
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
    String accepted = "a duration such as 30m, 8h or 2d";
    Duration d = typed(key, accepted).map(v -> {
      try {
        return Duration.ofSeconds(JavaUtils.timeStringAsSec(v));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name(key) + " must be " + accepted + ", but was '" + v + "'.");
      }
    }).orElse(defaultValue);
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(name(key) + " must be between " + min.toMinutes()
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
      throw new IllegalArgumentException(name(key) + " must be at most " + max + ", but was " + n + ".");
    }
    return (int) n;
  }
}
