package dev.sluice.operator.inject;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.function.Function;

/**
 * Every namespace's labels, from an informer's cache, for the webhook (the namespace label opts its
 * pods in): a namespace it does not know has none.
 */
public final class NamespaceLabels implements Function<String, Map<String, String>>, AutoCloseable {
  private final SharedIndexInformer<Namespace> informer;

  public NamespaceLabels(KubernetesClient client) {
    informer = client.namespaces().inform();
  }

  @Override
  public Map<String, String> apply(String namespace) {
    Namespace n = informer.getStore().getByKey(namespace);
    return n == null || n.getMetadata().getLabels() == null
        ? Map.of()
        : n.getMetadata().getLabels();
  }

  /** The informer listed the namespaces once (readiness). */
  public boolean synced() {
    return informer.hasSynced();
  }

  @Override
  public void close() {
    informer.close();
  }
}
