package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The endpoints of the clusters a pod's config names ({@link Upstream#cluster()}, {@link
 * Agent#cluster()}), delivered apart from the {@link SidecarConfig} and applied without a reload: a
 * change of endpoints is never a new config revision, and is not rolled out pod by pod. A sidecar
 * serves an upstream cluster it has no entry for with 503, and counts an agent whose cluster it has
 * no entry for as failed (the agent's failure policy applies).
 *
 * @param version identifies this content: the first 16 hex digits of SHA-256 over its canonical
 *     JSON with the version left out ({@link Revisions#of(ClusterEndpoints)}); filled in on read
 *     when absent
 * @param clusters endpoints by cluster name; a cluster with no endpoint maps to an empty list
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterEndpoints(@Nullable String version, Map<String, List<Endpoint>> clusters) {
  public ClusterEndpoints {
    // Sorted, so that equal content is equal canonical JSON whoever built the map.
    clusters = clusters == null ? Map.of() : copy(clusters);
  }

  private static Map<String, List<Endpoint>> copy(Map<String, List<Endpoint>> clusters) {
    TreeMap<String, List<Endpoint>> sorted = new TreeMap<>();
    clusters.forEach((name, endpoints) -> sorted.put(name, List.copyOf(endpoints)));
    return java.util.Collections.unmodifiableSortedMap(sorted);
  }

  public ClusterEndpoints withVersion(@Nullable String version) {
    return new ClusterEndpoints(version, clusters);
  }

  /** The endpoints of {@code cluster}, or null when this set has no entry for it. */
  public @Nullable List<Endpoint> of(String cluster) {
    return clusters.get(cluster);
  }
}
