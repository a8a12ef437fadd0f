package dev.sluice.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/** How long ago, as kubectl prints an AGE: {@code 45s}, {@code 12m}, {@code 3h}, {@code 5d}. */
public final class Ages {
  private Ages() {}

  /** The age of an RFC 3339 time at {@code now}; {@code <unknown>} when it does not parse. */
  public static String since(@Nullable String rfc3339, Instant now) {
    if (rfc3339 == null) {
      return "<none>";
    }
    try {
      return of(Duration.between(Instant.parse(rfc3339), now));
    } catch (DateTimeParseException e) {
      return "<unknown>";
    }
  }

  public static String of(Duration age) {
    long s = Math.max(0, age.toSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 2 * 3600) {
      return s / 60 + "m";
    }
    if (s < 2 * 86400) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }
}
