package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The backends of a rule: static endpoints, or a cluster whose endpoints arrive on their own
 * ({@link ClusterEndpoints}) and change without a reload. Rules with equal upstreams share one
 * pool.
 *
 * @param protocol http1, h2c (prior knowledge) or h2 (TLS, ALPN)
 * @param endpoints host:port targets, each a ready endpoint of weight 1; either these or {@code
 *     cluster}
 * @param cluster the name of a cluster whose endpoints a {@link ClusterEndpoints} gives (the
 *     operator names a Service's port {@code <namespace>/<service>:<port>}); either this or {@code
 *     endpoints}
 * @param tls verification settings for h2
 * @param maxConnectionsPerEndpoint pooled connections per endpoint (default 64; HTTP/2 multiplexes
 *     streams onto them up to the peer's MAX_CONCURRENT_STREAMS)
 * @param loadBalancer how requests are spread over the endpoints; {@link LoadBalancer#DEFAULT} when
 *     null (absent stays absent, so a config that does not say reads and hashes as before)
 * @param outlierDetection when an endpoint that keeps failing is ejected; {@link
 *     OutlierDetection#DEFAULT} (on) when null, which stays absent as {@code loadBalancer} does
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Upstream(
    Protocol protocol,
    List<String> endpoints,
    @Nullable String cluster,
    @Nullable UpstreamTls tls,
    Integer maxConnectionsPerEndpoint,
    @Nullable LoadBalancer loadBalancer,
    @Nullable OutlierDetection outlierDetection) {
  static final int DEFAULT_MAX_CONNECTIONS = 64;

  public Upstream {
    protocol = protocol == null ? Protocol.HTTP1 : protocol;
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    maxConnectionsPerEndpoint =
        maxConnectionsPerEndpoint == null ? DEFAULT_MAX_CONNECTIONS : maxConnectionsPerEndpoint;
  }

  /** Static endpoints, nothing else set: what a hand-written config's upstream usually is. */
  @SuppressWarnings("NullAway") // an absent field (null) reads as its default
  public static Upstream of(Protocol protocol, List<String> endpoints) {
    return new Upstream(protocol, endpoints, null, null, null, null, null);
  }

  /** The balancer this upstream runs: {@code loadBalancer}, or the default. */
  public LoadBalancer loadBalancerOrDefault() {
    return loadBalancer == null ? LoadBalancer.DEFAULT : loadBalancer;
  }

  /** The outlier detection this upstream runs: {@code outlierDetection}, or the default (on). */
  public OutlierDetection outlierDetectionOrDefault() {
    return outlierDetection == null ? OutlierDetection.DEFAULT : outlierDetection;
  }

  /**
   * The static endpoints as {@link Endpoint}s; empty for a cluster, whose endpoints come from a
   * {@link ClusterEndpoints}.
   */
  public List<Endpoint> staticEndpoints() {
    return endpoints.stream().map(Endpoint::ready).toList();
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
