package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * W3C trace context for a rule's requests (contract 3). A request that arrives with a valid {@code
 * traceparent} keeps its trace and its sampled flag; this says what happens to one without. A field
 * left out takes its default; a rule without {@code tracing} runs {@link #DEFAULT}.
 *
 * @param createWhenAbsent give a request without a valid {@code traceparent} a new trace, so its
 *     access-log line, its agents and its upstream share one trace id (default true)
 * @param sampleRate the share of the traces created here whose {@code traceparent} says sampled, 0
 *     to 1 (default 0.01: one in a hundred, so the backends' tracers record a bounded share)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RuleTracing(Boolean createWhenAbsent, Double sampleRate) {
  /** The share of created traces marked sampled when the rule does not say. */
  public static final double DEFAULT_SAMPLE_RATE = 0.01;

  /** What a rule without {@code tracing} runs: traces created, one in a hundred sampled. */
  public static final RuleTracing DEFAULT = new RuleTracing(true, DEFAULT_SAMPLE_RATE);

  public RuleTracing {
    createWhenAbsent = createWhenAbsent == null ? Boolean.TRUE : createWhenAbsent;
    sampleRate = sampleRate == null ? DEFAULT_SAMPLE_RATE : sampleRate;
  }
}
