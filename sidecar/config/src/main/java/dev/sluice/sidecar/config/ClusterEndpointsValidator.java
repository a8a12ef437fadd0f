package dev.sluice.sidecar.config;

import java.util.List;
import java.util.Map;

/** What makes a {@link ClusterEndpoints} valid: names, addresses and weights in range. */
public final class ClusterEndpointsValidator {
  /** Every problem found, in order; empty when valid. */
  public static List<ConfigProblem> validate(ClusterEndpoints endpoints) {
    Problems problems = new Problems();
    for (Map.Entry<String, List<Endpoint>> cluster : endpoints.clusters().entrySet()) {
      String path = "clusters[" + cluster.getKey() + "]";
      if (!ClusterNames.valid(cluster.getKey())) {
        problems.add("clusters", cluster.getKey(), ClusterNames.EXPECTED);
      }
      List<Endpoint> list = cluster.getValue();
      for (int i = 0; i < list.size(); i++) {
        Endpoint endpoint = list.get(i);
        String at = path + "[" + i + "]";
        problems.hostPort(at + ".address", endpoint.address());
        problems.range(at + ".weight", endpoint.weight(), 1, Endpoint.MAX_WEIGHT);
      }
      problems.unique(path, list, Endpoint::address, "address");
    }
    return problems.list();
  }

  private ClusterEndpointsValidator() {}
}
