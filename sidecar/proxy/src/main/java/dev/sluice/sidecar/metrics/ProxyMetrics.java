package dev.sluice.sidecar.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * The sidecar's metrics, in one place so names stay consistent: {@code sluice_*}, labels {@code
 * route}, {@code status}, {@code side} (downstream/upstream), {@code mode} (passed/copied).
 */
public final class ProxyMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** One finished exchange (answered by the upstream or locally). */
  public void request(String route, int status, Duration latency) {
    Timer.builder("sluice_request_duration")
        .description("Time from request head to the end of the response")
        .tag("route", route)
        .tag("status", Integer.toString(status))
        .publishPercentileHistogram()
        .register(registry)
        .record(latency);
  }

  /** Body bytes forwarded; {@code copied}: through the copying path (zeroCopy off). */
  public void bodyBytes(String direction, boolean copied, long bytes) {
    Counter.builder("sluice_body_bytes")
        .description("Body bytes forwarded, by direction and whether they were copied")
        .tag("direction", direction)
        .tag("mode", copied ? "copied" : "passed")
        .register(registry)
        .increment(bytes);
  }

  /** An upstream failure: connect, reset, timeout, protocol. */
  public void upstreamError(String route, String kind) {
    Counter.builder("sluice_upstream_errors")
        .description("Upstream failures by kind")
        .tag("route", route)
        .tag("kind", kind)
        .register(registry)
        .increment();
  }

  /** A stream or exchange ended: normally, reset, or aborted, per side. */
  public void streamEnded(String side, String how) {
    Counter.builder("sluice_streams_ended")
        .description("Streams/exchanges ended, by side and how")
        .tag("side", side)
        .tag("how", how)
        .register(registry)
        .increment();
  }

  /** A request refused before reaching a route (400, 404, 413, 431). */
  public void rejected(int status) {
    Counter.builder("sluice_requests_rejected")
        .description("Requests answered locally before forwarding")
        .tag("status", Integer.toString(status))
        .register(registry)
        .increment();
  }

  public DistributionSummary requestBodySize(String route) {
    return DistributionSummary.builder("sluice_request_body_bytes")
        .tag("route", route)
        .register(registry);
  }
}
