package io.github.amlspark;

import java.util.Locale;

/** What to do when the destination of a file already exists. */
public enum OverwriteMode {
  /** Replace it ({@code overwrite=true}). */
  ALWAYS,
  /** Keep it and report the file SKIPPED ({@code overwrite=false}). */
  NEVER,
  /** Keep it only when its size and MD5 match the source ({@code overwrite=ifDifferent}). */
  IF_DIFFERENT;

  /** What the {@code overwrite} option accepts, for messages. */
  public static final String ACCEPTED = "true, false or ifDifferent (in any case)";

  /** @return the mode of the short API forms' boolean: {@code true} is ALWAYS, {@code false} is NEVER */
  public static OverwriteMode of(boolean overwrite) {
    return overwrite ? ALWAYS : NEVER;
  }

  /**
   * Parses an option value, case-insensitively.
   *
   * @param value {@code true}, {@code false} or {@code ifDifferent}
   * @return the mode
   * @throws IllegalArgumentException for any other value, naming the accepted ones
   */
  public static OverwriteMode parse(String value) {
    switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true":
      case "always":
        return ALWAYS;
      case "false":
      case "never":
        return NEVER;
      case "ifdifferent":
      case "if_different":
        return IF_DIFFERENT;
      default:
        throw new IllegalArgumentException(
            "Option 'overwrite' must be " + ACCEPTED + ", but was '" + value + "'.");
    }
  }

  /** @return the option value that parses back to this mode */
  public String optionValue() {
    switch (this) {
      case ALWAYS:
        return "true";
      case NEVER:
        return "false";
      default:
        return "ifDifferent";
    }
  }
}
