package dev.sluice.sidecar.trace;

/**
 * A rule's trace settings.
 *
 * @param createWhenAbsent a request without a valid {@code traceparent} starts a trace here
 * @param sampleRate the share of traces started here that are marked sampled (0 to 1); a trace that
 *     arrives keeps its caller's decision
 */
public record TraceSettings(boolean createWhenAbsent, double sampleRate) {
  /** Traces start here; one in a hundred is sampled. */
  public static final TraceSettings DEFAULT = new TraceSettings(true, 0.01);

  /** Trace context passes through as it came; nothing starts here. */
  public static final TraceSettings PASS_THROUGH = new TraceSettings(false, 0.0);

  public TraceSettings {
    if (!(sampleRate >= 0.0 && sampleRate <= 1.0)) {
      throw new IllegalArgumentException(
          "sampleRate: " + sampleRate + " (expected a number from 0 to 1)");
    }
  }
}
