package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * One endpoint of a cluster, with the conditions Kubernetes gives it in an EndpointSlice.
 *
 * @param address host:port (IPv6 in brackets)
 * @param ready serves new requests (EndpointSlice {@code ready}; default true)
 * @param serving answers requests even while terminating (EndpointSlice {@code serving}; default
 *     the value of {@code ready})
 * @param terminating being deleted (EndpointSlice {@code terminating}; default false): such an
 *     endpoint takes requests only while it is serving and no endpoint of its cluster is ready, as
 *     kube-proxy does
 * @param weight its share relative to the cluster's other endpoints, 1 to 1000 (default 1)
 * @param zone the topology zone, for information (metrics, {@code /config}); null when unknown
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Endpoint(
    String address,
    Boolean ready,
    Boolean serving,
    Boolean terminating,
    Integer weight,
    @Nullable String zone) {
  static final int DEFAULT_WEIGHT = 1;
  static final int MAX_WEIGHT = 1000;

  public Endpoint {
    ready = ready == null ? Boolean.TRUE : ready;
    serving = serving == null ? ready : serving;
    terminating = terminating == null ? Boolean.FALSE : terminating;
    weight = weight == null ? DEFAULT_WEIGHT : weight;
  }

  /** A ready endpoint of weight 1: what a static {@code host:port} in a config stands for. */
  public static Endpoint ready(String address) {
    return new Endpoint(address, true, true, false, DEFAULT_WEIGHT, null);
  }
}
