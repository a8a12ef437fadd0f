package dev.sluice.operator.configservice;

import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.Revisions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A pod's endpoint document: the endpoints of exactly the clusters it needs, versioned by content
 * (same clusters and endpoints, same version, whoever builds it). Every named cluster has an entry:
 * one the namespace does not have (its Service or port is gone) has no endpoint, which the sidecar
 * answers with 503 naming it, as it does for a Service scaled to zero.
 */
final class EndpointDocuments {
  private EndpointDocuments() {}

  /**
   * A document and its version.
   *
   * @param version the content hash, as in {@code endpoints}
   * @param endpoints what the sidecar gets
   */
  record Document(String version, ClusterEndpoints endpoints) {}

  static Document of(Set<String> names, Map<String, List<Endpoint>> clusters) {
    Map<String, List<Endpoint>> mine = new TreeMap<>();
    for (String name : names) {
      mine.put(name, clusters.getOrDefault(name, List.of()));
    }
    ClusterEndpoints document = new ClusterEndpoints(null, mine);
    String version = Revisions.of(document);
    return new Document(version, document.withVersion(version));
  }
}
