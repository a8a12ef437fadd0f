package dev.sluice.operator.cluster;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import java.util.Set;

/** What the informers hold about one namespace: everything a reconcile reads, no API calls. */
public interface NamespaceView {
  List<ProxyRoute> routes(String namespace);

  List<OffloadAgent> agents(String namespace);

  List<Service> services(String namespace);

  List<EndpointSlice> endpointSlices(String namespace);

  /** The Secrets of {@code namespace} among {@code names} (only those are read). */
  List<Secret> secrets(String namespace, Set<String> names);

  /** The ConfigMaps of {@code namespace} among {@code names} (only those are read). */
  List<ConfigMap> configMaps(String namespace, Set<String> names);

  List<Pod> pods(String namespace);

  /**
   * The namespace's Gateway API HTTPRoutes (none where the cluster does not serve them, or the view
   * does not watch them).
   */
  default List<io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute> httpRoutes(
      String namespace) {
    return List.of();
  }
}
