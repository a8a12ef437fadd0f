package dev.sluice.sidecar.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Durations as Kubernetes users write them ({@code 500ms}, {@code 2s}, {@code 1m30s}, {@code
 * 1.5h}): the same grammar the CRDs' CEL {@code duration()} accepts, restricted to the units
 * ms/s/m/h.
 */
public final class Durations {
  static final String EXPECTED = "a duration like 500ms, 2s, 1m30s";
  private static final Pattern WHOLE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  /** Parses {@code text}; throws {@link IllegalArgumentException} naming what was expected. */
  public static Duration parse(@Nullable String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException("expected: " + EXPECTED);
    }
    double millis = 0;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      double value = Double.parseDouble(part.group(1));
      millis +=
          switch (part.group(2)) {
            case "ms" -> value;
            case "s" -> value * 1_000;
            case "m" -> value * 60_000;
            default -> value * 3_600_000;
          };
    }
    if (millis > Long.MAX_VALUE / 2.0) {
      throw new IllegalArgumentException("expected: " + EXPECTED + " (this one is too long)");
    }
    return Duration.ofNanos(Math.round(millis * 1_000_000));
  }

  /** The shortest text {@link #parse} reads back as {@code duration} (whole milliseconds). */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis != 0 && millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis != 0 && millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1_000 == 0) {
      return millis / 1_000 + "s";
    }
    return millis + "ms";
  }

  private Durations() {}
}
