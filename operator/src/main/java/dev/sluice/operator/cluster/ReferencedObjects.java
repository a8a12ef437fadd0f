package dev.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The objects of one kind that ProxyRoutes name — Secrets (listener TLS, backend and client CAs),
 * ConfigMaps (client CAs) — and no others: namespaces hold many, Secrets hold keys, so the operator
 * does not cache them all. Each named object has a watch of its own (fieldSelector {@code
 * metadata.name}, as the kubelet watches a pod's Secrets and ConfigMaps), opened the first time a
 * pass names it — synchronously: the informer lists before it returns, so that pass reads it at
 * once — and closed when a pass of its namespace no longer names it. A change of a watched object
 * (a rotated certificate, a new CA, a deletion) reconciles its namespace, so it rolls out.
 *
 * @param <T> the kind
 */
public final class ReferencedObjects<T extends HasMetadata>
    extends SimpleInboundEventSource<Namespace> {
  private final BiFunction<String, String, Informable<T>> byName;
  private final Map<String, Map<String, SharedIndexInformer<T>>> watches =
      new ConcurrentHashMap<>();

  /**
   * {@code name}: the event source's; {@code byName}: the one object of a namespace (namespace,
   * name) to inform on.
   */
  ReferencedObjects(String name, BiFunction<String, String, Informable<T>> byName) {
    super(name);
    this.byName = byName;
  }

  /** The Secrets routes name. */
  public static ReferencedObjects<Secret> secrets(KubernetesClient client) {
    return new ReferencedObjects<>(
        "referenced-secrets", (ns, name) -> client.secrets().inNamespace(ns).withName(name));
  }

  /** The ConfigMaps routes name. */
  public static ReferencedObjects<ConfigMap> configMaps(KubernetesClient client) {
    return new ReferencedObjects<>(
        "referenced-configmaps", (ns, name) -> client.configMaps().inNamespace(ns).withName(name));
  }

  /**
   * The objects of {@code namespace} among {@code names} that exist; from now on exactly those
   * names are watched in it. Called by the namespace's pass (one at a time per namespace).
   */
  public List<T> get(String namespace, Set<String> names) {
    Map<String, SharedIndexInformer<T>> held =
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
    List<T> out = new ArrayList<>();
    for (String name : names) {
      T object =
          held.computeIfAbsent(name, n -> watch(namespace, n))
              .getStore()
              .getByKey(namespace + "/" + name);
      if (object != null) {
        out.add(object);
      }
    }
    return out;
  }

  private SharedIndexInformer<T> watch(String namespace, String name) {
    ResourceID primary = new ResourceID(namespace);
    return byName
        .apply(namespace, name)
        .inform(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(T object) {
                propagateEvent(primary);
              }

              @Override
              public void onUpdate(T before, T after) {
                if (!before
                    .getMetadata()
                    .getResourceVersion()
                    .equals(after.getMetadata().getResourceVersion())) {
                  propagateEvent(primary);
                }
              }

              @Override
              public void onDelete(T object, boolean finalStateUnknown) {
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
