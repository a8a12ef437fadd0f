package dev.sluice.operator.status;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * Timestamps as Kubernetes writes them: {@code metav1.Time} is RFC 3339 to the second (a
 * condition's {@code lastTransitionTime}, an Event's {@code firstTimestamp}). The API server cuts a
 * fraction off built-in objects but stores a custom resource's status as sent, so the operator
 * writes seconds everywhere — one form on routes, agents, pods and events.
 */
public final class Timestamps {
  private Timestamps() {}

  /** {@code instant} to the second, e.g. {@code 2026-12-06T10:00:25Z}. */
  public static String of(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The instant {@code text} says (RFC 3339); null when it is null or says none. */
  public static @Nullable Instant parse(@Nullable String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
