package dev.sluice.operator.cluster;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.List;
import java.util.Set;

/**
 * A {@link NamespaceView} over the informer caches of a reconcile (ProxyRoutes being deleted left
 * out) and the {@link ReferencedObjects} (Secrets and ConfigMaps routes name).
 */
public final class InformerView implements NamespaceView {
  private final Context<?> context;
  private final ReferencedObjects<Secret> secrets;
  private final ReferencedObjects<ConfigMap> configMaps;
  private final boolean httpRoutes;

  /** {@code httpRoutes}: whether the reconcile watches HTTPRoutes (Gateway API is served). */
  public InformerView(
      Context<?> context,
      ReferencedObjects<Secret> secrets,
      ReferencedObjects<ConfigMap> configMaps,
      boolean httpRoutes) {
    this.context = context;
    this.secrets = secrets;
    this.configMaps = configMaps;
    this.httpRoutes = httpRoutes;
  }

  @Override
  public List<HTTPRoute> httpRoutes(String namespace) {
    return httpRoutes ? list(HTTPRoute.class, namespace) : List.of();
  }

  @Override
  public List<ProxyRoute> routes(String namespace) {
    return list(ProxyRoute.class, namespace).stream()
        .filter(r -> r.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  @Override
  public List<OffloadAgent> agents(String namespace) {
    return list(OffloadAgent.class, namespace);
  }

  @Override
  public List<Service> services(String namespace) {
    return list(Service.class, namespace);
  }

  @Override
  public List<EndpointSlice> endpointSlices(String namespace) {
    return list(EndpointSlice.class, namespace);
  }

  @Override
  public List<Secret> secrets(String namespace, Set<String> names) {
    return secrets.get(namespace, names);
  }

  @Override
  public List<ConfigMap> configMaps(String namespace, Set<String> names) {
    return configMaps.get(namespace, names);
  }

  @Override
  public List<Pod> pods(String namespace) {
    return list(Pod.class, namespace);
  }

  private <T extends HasMetadata> List<T> list(Class<T> type, String namespace) {
    return Informers.list(context, type, namespace);
  }
}
