package dev.sluice.operator.configservice;

import dev.sluice.api.Labels;
import dev.sluice.sidecar.config.SidecarConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clusters a pod's sidecar needs the endpoints of: every cluster (its rules' upstreams' and its
 * agents') named by the revision it runs (applied) and by the one it is assigned, since during a
 * rollout both may be live on the pod and no swap may meet a cluster it could have known. Revisions
 * are content-addressed, so what a revision names is read once from the {@link RevisionStore}.
 */
final class PodClusters {
  private static final Logger LOG = LoggerFactory.getLogger(PodClusters.class);

  private final RevisionStore revisions;

  PodClusters(RevisionStore revisions) {
    this.revisions = revisions;
  }

  /** The cluster names of {@code pod}'s applied and assigned revisions, sorted. */
  Set<String> of(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    Set<String> clusters = new TreeSet<>();
    if (annotations == null) {
      return clusters;
    }
    String namespace = pod.getMetadata().getNamespace();
    for (String key : new String[] {Labels.APPLIED_REVISION, Labels.ASSIGNED_REVISION}) {
      String revision = annotations.get(key);
      if (revision != null) {
        named(namespace, revision).ifPresent(clusters::addAll);
      }
    }
    return clusters;
  }

  /** The clusters {@code revision} names; empty when it cannot be read now (asked again later). */
  private Optional<Set<String>> named(String namespace, String revision) {
    Optional<SidecarConfig> config;
    try {
      config = revisions.load(namespace, revision);
    } catch (KubernetesClientException e) {
      LOG.debug("cannot read revision {} in {}: {}", revision, namespace, e.getMessage());
      return Optional.empty();
    }
    return config.map(SidecarConfig::clusterNames);
  }
}
