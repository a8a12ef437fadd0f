package dev.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Secrets ProxyRoutes name (listener TLS, backend CA), and no others: Secrets hold keys and
 * namespaces hold many, so the operator does not cache them all. Each named Secret has a watch of
 * its own (fieldSelector {@code metadata.name}, as the kubelet watches a pod's Secrets), opened the
 * first time a pass names it — synchronously: the informer lists before it returns, so that pass
 * reads it at once — and closed when a pass of its namespace no longer names it. A change of a
 * watched Secret (a rotated certificate, a deletion) reconciles its namespace, so it rolls out.
 */
public final class ReferencedSecrets extends SimpleInboundEventSource<Namespace> {
  public static final String NAME = "referenced-secrets";

  private final KubernetesClient client;
  private final Map<String, Map<String, SharedIndexInformer<Secret>>> watches =
      new ConcurrentHashMap<>();

  public ReferencedSecrets(KubernetesClient client) {
    super(NAME);
    this.client = client;
  }

  /**
   * The Secrets of {@code namespace} among {@code names} that exist; from now on exactly those
   * names are watched in it. Called by the namespace's pass (one at a time per namespace).
   */
  public List<Secret> secrets(String namespace, Set<String> names) {
    Map<String, SharedIndexInformer<Secret>> held =
        watches.computeIfAbsent(namespace, n -> new ConcurrentHashMap<>());
    held.entrySet()
        .removeIf(
            e -> {
              boolean unused = !names.contains(e.getKey());
              if (unused) {
                e.getValue().close();
              }
              return unused;
            });
    List<Secret> out = new ArrayList<>();
    for (String name : names) {
      Secret secret =
          held.computeIfAbsent(name, n -> watch(namespace, n))
              .getStore()
              .getByKey(namespace + "/" + name);
      if (secret != null) {
        out.add(secret);
      }
    }
    return out;
  }

  private SharedIndexInformer<Secret> watch(String namespace, String name) {
    ResourceID primary = new ResourceID(namespace);
    return client
        .secrets()
        .inNamespace(namespace)
        .withName(name)
        .inform(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(Secret secret) {
                propagateEvent(primary);
              }

              @Override
              public void onUpdate(Secret before, Secret after) {
                if (!before
                    .getMetadata()
                    .getResourceVersion()
                    .equals(after.getMetadata().getResourceVersion())) {
                  propagateEvent(primary);
                }
              }

              @Override
              public void onDelete(Secret secret, boolean finalStateUnknown) {
                propagateEvent(primary);
              }
            });
  }

  @Override
  public void stop() {
    watches.values().forEach(m -> m.values().forEach(SharedIndexInformer::close));
    watches.clear();
    super.stop();
  }
}
