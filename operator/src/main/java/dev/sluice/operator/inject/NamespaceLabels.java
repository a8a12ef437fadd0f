package dev.sluice.operator.inject;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Every namespace's labels for the webhook (the namespace label opts its pods in): from an
 * informer's cache, and for a namespace the cache does not hold yet (just created, or the informer
 * still listing) from the API server. When that lookup fails too, {@link Unreadable} is thrown: the
 * webhook refuses the pod rather than admit it without the sidecar it may have asked for.
 */
public final class NamespaceLabels implements Function<String, Map<String, String>>, AutoCloseable {
  /** A namespace neither the cache nor the API server could tell about. */
  public static final class Unreadable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unreadable(String namespace, Exception cause) {
      super(
          "namespace "
              + namespace
              + ": its labels are not cached yet and reading them from the API server failed ("
              + cause.getMessage()
              + "); sidecar injection cannot be decided, retry",
          cause);
    }
  }

  private final Function<String, @Nullable Namespace> cached;
  private final Function<String, @Nullable Namespace> live;
  private final @Nullable SharedIndexInformer<Namespace> informer;

  /** The informer's cache, the API server on a miss. */
  public NamespaceLabels(KubernetesClient client) {
    this(client.namespaces().inform(), client);
  }

  private NamespaceLabels(SharedIndexInformer<Namespace> informer, KubernetesClient client) {
    this(informer.getStore()::getByKey, name -> client.namespaces().withName(name).get(), informer);
  }

  /** {@code cached}, then {@code live} on a miss (tests: a cache that misses). */
  NamespaceLabels(
      Function<String, @Nullable Namespace> cached,
      Function<String, @Nullable Namespace> live,
      @Nullable SharedIndexInformer<Namespace> informer) {
    this.cached = cached;
    this.live = live;
    this.informer = informer;
  }

  /**
   * The namespace's labels (none for a namespace that does not exist).
   *
   * @throws Unreadable when the cache misses and the API server cannot be asked
   */
  @Override
  public Map<String, String> apply(String namespace) {
    Namespace n = cached.apply(namespace);
    if (n == null) {
      try {
        n = live.apply(namespace);
      } catch (KubernetesClientException e) {
        throw new Unreadable(namespace, e);
      }
    }
    return n == null || n.getMetadata().getLabels() == null
        ? Map.of()
        : n.getMetadata().getLabels();
  }

  /** The informer listed the namespaces once (readiness). */
  public boolean synced() {
    return informer == null || informer.hasSynced();
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }
}
