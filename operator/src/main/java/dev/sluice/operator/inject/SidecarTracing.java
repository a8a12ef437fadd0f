package dev.sluice.operator.inject;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.OtlpEndpoint;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The span export of injected sidecars (their {@code --otlp-endpoint} and {@code
 * --otlp-service-name}): a process setting like the access log's format, so it comes from the
 * install; which exchanges are sampled is each ProxyRoute's {@code spec.tracing}.
 *
 * @param otlpEndpoint the collector's OTLP/HTTP traces URL; null: no export, and no arguments
 * @param serviceName the exported spans' {@code service.name}
 */
public record SidecarTracing(@Nullable URI otlpEndpoint, String serviceName) {
  /** The sidecar's own default {@code service.name}. */
  public static final String DEFAULT_SERVICE_NAME = "sluice-sidecar";

  /** No span export: the sidecar gets neither argument. */
  public static final SidecarTracing OFF = new SidecarTracing(null, DEFAULT_SERVICE_NAME);

  /** What a flag naming an endpoint expects, for error messages. */
  public static final String EXPECTED_ENDPOINT = OtlpEndpoint.EXPECTED;

  public SidecarTracing {
    requireNonNull(serviceName, "serviceName");
  }

  /**
   * {@code --sidecar-otlp-endpoint}: an http or https URL with a host, as the sidecar's {@code
   * --otlp-endpoint} takes it (anything else would stop every injected sidecar at start); null for
   * anything else.
   */
  public static @Nullable URI endpointFromFlag(String flag) {
    return OtlpEndpoint.parse(flag);
  }

  /** The sidecar's arguments: the endpoint and the service name, or none when export is off. */
  List<String> sidecarArgs() {
    if (otlpEndpoint == null) {
      return List.of();
    }
    return List.of("--otlp-endpoint", otlpEndpoint.toString(), "--otlp-service-name", serviceName);
  }
}
