package dev.sluice.operator.configservice;

import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.Revisions;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A pod's endpoint document: the endpoints of exactly the clusters it needs, versioned by content
 * (same clusters and endpoints, same version, whoever builds it). Every named cluster has an entry:
 * one the namespace does not have (its Service or port is gone) has no endpoint, which the sidecar
 * answers with 503 naming it, as it does for a Service scaled to zero.
 */
final class EndpointDocuments {
  private EndpointDocuments() {}

  /**
   * A document and its version. Its JSON is written once, on the first answer that sends it: a
   * change answers every pod that shares the document (hundreds, in a namespace whose pods all use
   * one Service) with the same bytes.
   */
  static final class Document {
    private final String version;
    private final ClusterEndpoints endpoints;
    private volatile byte @Nullable [] json;

    Document(String version, ClusterEndpoints endpoints) {
      this.version = version;
      this.endpoints = endpoints;
    }

    /** The content hash, as in {@link #endpoints}. */
    String version() {
      return version;
    }

    /** What the sidecar gets. */
    ClusterEndpoints endpoints() {
      return endpoints;
    }

    /** The document as the sidecar reads it (the same array every time; never modify it). */
    byte[] json() {
      byte[] known = json;
      if (known == null) {
        known = SidecarConfigCodec.toJson(endpoints).getBytes(StandardCharsets.UTF_8);
        json = known; // two threads may both write it: equal bytes, either is right
      }
      return known;
    }
  }

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
