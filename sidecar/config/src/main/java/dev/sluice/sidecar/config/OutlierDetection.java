package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * Passive outlier detection for an upstream's endpoints (Envoy's and Istio's vocabulary): an
 * endpoint that fails {@code consecutiveFailures} times in a row is ejected (takes no new request)
 * for a time that grows with each ejection, and returns by itself when that time is up. A field
 * left out takes its default.
 *
 * <p>A failure is a connection attempt to the endpoint that failed (refused, timed out, TLS or the
 * HTTP/2 preface), a response head of 502, 503 or 504 from it, or the exchange closed or reset by
 * it before any response head. Any other response head is a success and resets the count.
 *
 * @param consecutiveFailures failures in a row that eject an endpoint, 0..1000; 0 turns detection
 *     off for the upstream. Default 5.
 * @param baseEjectionTime how long the first ejection lasts; the n-th lasts n times as long, up to
 *     {@code maxEjectionTime}. 1ms..1h, default 30s.
 * @param maxEjectionTime the longest an ejection lasts, from {@code baseEjectionTime} to 24h.
 *     Default 5m.
 * @param maxEjectionPercent the share of the upstream's serving endpoints that may be ejected at
 *     once, 1..100, rounded down but at least one while two or more serve, and never the last one
 *     that serves. Default 10.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutlierDetection(
    Integer consecutiveFailures,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    Integer maxEjectionPercent) {
  public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
  public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_EJECTION_PERCENT = 10;

  static final Duration LONGEST_BASE_EJECTION_TIME = Duration.ofHours(1);
  static final Duration LONGEST_MAX_EJECTION_TIME = Duration.ofHours(24);

  /** Every field at its default: what an upstream without {@code outlierDetection} runs with. */
  public static final OutlierDetection DEFAULT =
      new OutlierDetection(
          DEFAULT_CONSECUTIVE_FAILURES,
          DEFAULT_BASE_EJECTION_TIME,
          DEFAULT_MAX_EJECTION_TIME,
          DEFAULT_MAX_EJECTION_PERCENT);

  public OutlierDetection {
    consecutiveFailures =
        consecutiveFailures == null ? DEFAULT_CONSECUTIVE_FAILURES : consecutiveFailures;
    baseEjectionTime = baseEjectionTime == null ? DEFAULT_BASE_EJECTION_TIME : baseEjectionTime;
    maxEjectionTime = maxEjectionTime == null ? DEFAULT_MAX_EJECTION_TIME : maxEjectionTime;
    maxEjectionPercent =
        maxEjectionPercent == null ? DEFAULT_MAX_EJECTION_PERCENT : maxEjectionPercent;
  }

  /** False when {@code consecutiveFailures} is 0: no endpoint is ever ejected. */
  public boolean enabled() {
    return consecutiveFailures > 0;
  }
}
