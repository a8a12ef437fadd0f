package dev.sluice.operator.status;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

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
}
