package dev.sluice.operator.configservice;

import dev.sluice.api.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The sidecar pods as this replica sees them (every replica serves the config service, leader or
 * not): an informer on pods labelled {@code sluice.dev/sidecar=true}, looked up by namespace and
 * name, telling listeners when a pod changes so held long-polls answer at once.
 */
public final class PodDirectory implements AutoCloseable {
  private final SharedIndexInformer<Pod> informer;
  private final CopyOnWriteArrayList<Consumer<Pod>> listeners = new CopyOnWriteArrayList<>();

  public PodDirectory(KubernetesClient client) {
    informer =
        client
            .pods()
            .inAnyNamespace()
            .withLabel(Labels.SIDECAR, "true")
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    changed(pod);
                  }

                  @Override
                  public void onUpdate(Pod before, Pod after) {
                    changed(after);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    changed(pod);
                  }
                });
  }

  public Optional<Pod> get(String namespace, String name) {
    return Optional.ofNullable(informer.getStore().getByKey(namespace + "/" + name));
  }

  public void onChange(Consumer<Pod> listener) {
    listeners.add(listener);
  }

  private void changed(Pod pod) {
    listeners.forEach(l -> l.accept(pod));
  }

  @Override
  public void close() {
    informer.close();
  }
}
