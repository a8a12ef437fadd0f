package dev.sluice.sidecar.offload;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@code /config} shows of an agent's endpoints at one moment.
 *
 * @param cluster the cluster followed; null for static endpoints
 * @param known false while the endpoint table has no entry for the cluster
 * @param endpoints every endpoint, in document order
 */
public record AgentEndpointsView(@Nullable String cluster, boolean known, List<Member> endpoints) {
  public AgentEndpointsView {
    endpoints = List.copyOf(endpoints);
  }

  /**
   * One endpoint.
   *
   * @param address host:port
   * @param state ready, terminating or not_serving
   * @param eligible true when it takes new connections
   * @param health up, down or unchecked for those that take new connections; null for the others
   */
  public record Member(String address, String state, boolean eligible, @Nullable String health) {}
}
