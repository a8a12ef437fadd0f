package dev.sluice.sidecar.trace;

import dev.sluice.sidecar.config.RuleTracing;

/**
 * A rule's trace settings.
 *
 * @param createWhenAbsent a request without a valid {@code traceparent} starts a trace here
 * @param sampleRate the share of traces started here that are marked sampled (0 to 1); a trace that
 *     arrives keeps its caller's decision
 */
public record TraceSettings(boolean createWhenAbsent, double sampleRate) {
  /** Traces start here; one in a hundred is sampled ({@link RuleTracing#DEFAULT}). */
  public static final TraceSettings DEFAULT = of(RuleTracing.DEFAULT);

  /** Trace context passes through as it came; nothing starts here. */
  public static final TraceSettings PASS_THROUGH = new TraceSettings(false, 0.0);

  /** A rule's configured settings. */
  public static TraceSettings of(RuleTracing tracing) {
    return new TraceSettings(tracing.createWhenAbsent(), tracing.sampleRate());
  }

  public TraceSettings {
    if (!(sampleRate >= 0.0 && sampleRate <= 1.0)) {
      throw new IllegalArgumentException(
          "sampleRate: " + sampleRate + " (expected a number from 0 to 1)");
    }
  }
}
