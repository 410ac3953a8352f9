package io.github.amlspark.auth;

import java.io.Serializable;
import java.util.Objects;

/**
 * A secret (account key, SAS token, client secret) that never shows itself: {@code toString()} is
 * {@code ***}, so it cannot leak through a log line, a message, {@code explain()} or the Spark UI.
 * Only {@link #reveal()} gives the value, at the one place that hands it to the Azure SDK.
 */
public final class SecretString implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String value;

  private SecretString(String value) {
    this.value = value;
  }

  /**
   * @param value the secret, or null
   * @return the wrapped secret, or null for null or blank
   */
  public static SecretString ofNullable(String value) {
    return value == null || value.isBlank() ? null : new SecretString(value.trim());
  }

  /** @return the secret itself: hand it to the SDK, never to a string that is printed */
  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretString s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(value);
  }

  @Override
  public String toString() {
    return "***";
  }
}
