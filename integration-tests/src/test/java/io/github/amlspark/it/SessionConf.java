package io.github.amlspark.it;

import org.apache.spark.sql.RuntimeConfig;

/**
 * A session-wide {@code spark.azureml.*} entry set for the length of a try block and restored after, for
 * tests that go through the Java API (which takes such settings from the session).
 */
final class SessionConf implements AutoCloseable {
  private final String key;
  private final String previous;

  private SessionConf(String key, String value) {
    RuntimeConfig conf = TestEnvironment.spark().conf();
    this.key = key;
    this.previous = conf.getOption(key).isDefined() ? conf.get(key) : null;
    conf.set(key, value);
  }

  /** @return the entry set; closing it restores what was there */
  static SessionConf set(String key, String value) {
    return new SessionConf(key, value);
  }

  /** A short retry budget, so that a fault that never clears fails its file within seconds. */
  static SessionConf shortRetries() {
    return set("spark.azureml.retryTimeout", "2s");
  }

  @Override
  public void close() {
    if (previous == null) {
      TestEnvironment.spark().conf().unset(key);
    } else {
      TestEnvironment.spark().conf().set(key, previous);
    }
  }
}
