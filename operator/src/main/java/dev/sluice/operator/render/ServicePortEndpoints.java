package dev.sluice.operator.render;

import dev.sluice.sidecar.config.Endpoint;
import java.util.List;

/**
 * What a Service port resolves to: the cluster the sidecar knows it by and its endpoints with the
 * conditions their EndpointSlices give them (ready, serving, terminating), sorted by address.
 *
 * @param cluster {@code <namespace>/<service>:<port name>}, or {@code :<port number>} when the
 *     Service port has no name
 * @param endpoints every endpoint of the port, whatever its conditions; empty when none
 */
public record ServicePortEndpoints(String cluster, List<Endpoint> endpoints) {
  public ServicePortEndpoints {
    endpoints = List.copyOf(endpoints);
  }

  /** The addresses of the ready endpoints: what an inline upstream or an agent is given. */
  public List<String> readyAddresses() {
    return endpoints.stream().filter(Endpoint::ready).map(Endpoint::address).sorted().toList();
  }
}
