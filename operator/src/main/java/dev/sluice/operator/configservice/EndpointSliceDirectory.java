package dev.sluice.operator.configservice;

import dev.sluice.operator.cluster.EndpointIndex;
import dev.sluice.operator.render.ServicePortEndpoints;
import dev.sluice.sidecar.config.Endpoint;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The endpoints of every Service port, by cluster name, as this replica sees them (every replica
 * serves endpoint documents, leader or not): informers on Services and EndpointSlices, telling
 * listeners which namespace changed the moment an event arrives, so held endpoint polls answer at
 * once.
 */
public final class EndpointSliceDirectory implements AutoCloseable {
  private final SharedIndexInformer<Service> services;
  private final SharedIndexInformer<EndpointSlice> slices;
  private final CopyOnWriteArrayList<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  public EndpointSliceDirectory(KubernetesClient client) {
    services = client.services().inAnyNamespace().inform(handler());
    slices = client.discovery().v1().endpointSlices().inAnyNamespace().inform(handler());
  }

  /** Every cluster of {@code namespace}: its Service ports' endpoints by cluster name. */
  public Map<String, List<Endpoint>> clusters(String namespace) {
    Map<String, List<Endpoint>> clusters = new TreeMap<>();
    for (ServicePortEndpoints port :
        EndpointIndex.build(
                services.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace),
                slices.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace))
            .values()) {
      clusters.put(port.cluster(), port.endpoints());
    }
    return clusters;
  }

  /** {@code listener} is told the namespace of every Service or EndpointSlice event. */
  public void onChange(Consumer<String> listener) {
    listeners.add(listener);
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        changed(object);
      }

      @Override
      public void onUpdate(T before, T after) {
        changed(after);
      }

      @Override
      public void onDelete(T object, boolean unknownFinalState) {
        changed(object);
      }
    };
  }

  private void changed(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace();
    listeners.forEach(l -> l.accept(namespace));
  }

  @Override
  public void close() {
    slices.close();
    services.close();
  }
}
