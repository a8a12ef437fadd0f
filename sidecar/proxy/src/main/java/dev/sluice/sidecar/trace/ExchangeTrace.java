package dev.sluice.sidecar.trace;

import org.jspecify.annotations.Nullable;

/**
 * The trace context of one exchange, as decided when its head arrived.
 *
 * @param context the {@code traceparent} the upstream gets (and the trace id logged and offered to
 *     agents); null when the request has none and none was started
 * @param caller the caller's {@code traceparent} when it sent a valid one
 * @param rewrite the request's {@code traceparent} is replaced by {@code context} (a trace started
 *     here, or a span of ours); false: it passes as it came
 * @param restarted the trace started here, so a {@code tracestate} that came (which belongs to
 *     another trace, or to none) is dropped
 * @param recorded a span of this exchange is exported, with {@code context}'s parent id as its id
 */
public record ExchangeTrace(
    @Nullable TraceParent context,
    @Nullable TraceParent caller,
    boolean rewrite,
    boolean restarted,
    boolean recorded) {
  /** No trace context at all. */
  public static final ExchangeTrace NONE = new ExchangeTrace(null, null, false, false, false);

  /** The trace id (32 hex digits), or null. */
  public @Nullable String traceId() {
    return context == null ? null : context.traceId();
  }

  /** The value the upstream's {@code traceparent} is set to; null: the request's passes as is. */
  public @Nullable String outgoing() {
    return rewrite && context != null ? context.value() : null;
  }
}
