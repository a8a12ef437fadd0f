package dev.sluice.sidecar.config;

import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * What the sidecar's {@code --otlp-endpoint} takes, checked the same way where the operator takes
 * it for injected sidecars (anything the sidecar refuses there would stop every injected sidecar at
 * start): an http or https URL with a host.
 */
public final class OtlpEndpoint {
  /** What an endpoint is expected to be, for error messages. */
  public static final String EXPECTED =
      "an http or https URL, such as http://otel-collector.observability:4318/v1/traces";

  private OtlpEndpoint() {}

  /** {@code value} as an endpoint; null when it is not one. */
  public static @Nullable URI parse(String value) {
    URI endpoint;
    try {
      endpoint = new URI(value);
    } catch (URISyntaxException e) {
      return null;
    }
    boolean http = "http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme());
    return http && endpoint.getHost() != null ? endpoint : null;
  }
}
