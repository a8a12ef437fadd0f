package dev.sluice.sidecar.config;

import org.jspecify.annotations.Nullable;

/**
 * One thing wrong with a config, as a user reads it: {@code rules[2].upstream.endpoints[0]:
 * "10.0.0.1:70000" (expected: host:port with port 1..65535)}.
 *
 * @param path field path from the document root, e.g. {@code rules[2].upstream.endpoints[0]}
 * @param found what was found, ready to print: a quoted string, a number, {@code missing}, ...
 * @param expected what would have been accepted
 */
public record ConfigProblem(String path, String found, String expected) {
  private static final int MAX_SHOWN = 120;

  /** A problem with {@code value} as written; null when it is missing. */
  public static ConfigProblem of(String path, @Nullable Object value, String expected) {
    return new ConfigProblem(path, describe(value), expected);
  }

  @Override
  public String toString() {
    return (path.isEmpty() ? "<document>" : path) + ": " + found + " (expected: " + expected + ")";
  }

  private static String describe(@Nullable Object value) {
    if (value == null) {
      return "missing";
    }
    if (value instanceof CharSequence text) {
      String shown =
          text.length() > MAX_SHOWN ? text.subSequence(0, MAX_SHOWN - 3) + "..." : text.toString();
      return '"' + shown.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
    return String.valueOf(value);
  }
}
