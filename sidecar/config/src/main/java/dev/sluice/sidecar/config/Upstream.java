package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The backends of a rule, with concrete endpoints. Rules with equal upstreams share one pool.
 *
 * @param protocol http1, h2c (prior knowledge) or h2 (TLS, ALPN)
 * @param endpoints host:port targets, at least one
 * @param tls verification settings for h2
 * @param maxConnectionsPerEndpoint pooled connections per endpoint (default 64; HTTP/2 multiplexes
 *     streams onto them up to the peer's MAX_CONCURRENT_STREAMS)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Upstream(
    Protocol protocol,
    List<String> endpoints,
    @Nullable UpstreamTls tls,
    Integer maxConnectionsPerEndpoint) {
  static final int DEFAULT_MAX_CONNECTIONS = 64;

  public Upstream {
    protocol = protocol == null ? Protocol.HTTP1 : protocol;
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    maxConnectionsPerEndpoint =
        maxConnectionsPerEndpoint == null ? DEFAULT_MAX_CONNECTIONS : maxConnectionsPerEndpoint;
  }

  /** Upstream protocols. */
  public enum Protocol {
    @JsonProperty("http1")
    HTTP1,
    @JsonProperty("h2c")
    H2C,
    @JsonProperty("h2")
    H2
  }
}
