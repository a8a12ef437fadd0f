package dev.sluice.sidecar.trace;

/**
 * Where finished exchanges' spans go: nowhere ({@link #OFF}), or an exporter ({@link OtlpSpans}).
 */
public interface Spans {
  /** No span is recorded; trace context is still kept or started. */
  Spans OFF =
      new Spans() {
        @Override
        public boolean enabled() {
          return false;
        }

        @Override
        public void offer(ExchangeSpan span) {}
      };

  /** Whether sampled exchanges record a span (and so send their own span id upstream). */
  boolean enabled();

  /** Queues {@code span} for export; never blocks (a full queue drops it and counts). */
  void offer(ExchangeSpan span);
}
