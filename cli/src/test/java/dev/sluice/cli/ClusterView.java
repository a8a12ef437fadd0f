package dev.sluice.cli;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.cluster.NamespaceView;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** What the operator's informers would hold, read straight from the API server. */
final class ClusterView implements NamespaceView {
  private final KubernetesClient client;

  ClusterView(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public List<ProxyRoute> routes(String namespace) {
    return client.resources(ProxyRoute.class).inNamespace(namespace).list().getItems();
  }

  @Override
  public List<OffloadAgent> agents(String namespace) {
    return client.resources(OffloadAgent.class).inNamespace(namespace).list().getItems();
  }

  @Override
  public List<Service> services(String namespace) {
    return client.services().inNamespace(namespace).list().getItems();
  }

  @Override
  public List<EndpointSlice> endpointSlices(String namespace) {
    return client.discovery().v1().endpointSlices().inNamespace(namespace).list().getItems();
  }

  @Override
  public List<Secret> secrets(String namespace, Set<String> names) {
    return names.stream()
        .map(n -> client.secrets().inNamespace(namespace).withName(n).get())
        .filter(Objects::nonNull)
        .toList();
  }

  @Override
  public List<ConfigMap> configMaps(String namespace, Set<String> names) {
    return names.stream()
        .map(n -> client.configMaps().inNamespace(namespace).withName(n).get())
        .filter(Objects::nonNull)
        .toList();
  }

  @Override
  public List<Pod> pods(String namespace) {
    return client.pods().inNamespace(namespace).withLabel(Labels.SIDECAR, "true").list().getItems();
  }
}
