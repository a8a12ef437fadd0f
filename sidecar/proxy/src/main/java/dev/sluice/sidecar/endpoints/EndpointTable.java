package dev.sluice.sidecar.endpoints;

import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.Endpoint;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The sidecar's one table of cluster endpoints: the current {@link ClusterEndpoints}, swapped
 * whole. Upstream pools of every live generation subscribe to their cluster, so an update reaches
 * old and new generations alike, without a reload. Updates and subscriptions are serialized (a pool
 * never ends up with an older document than the table's).
 */
public final class EndpointTable {
  /** A pool following one cluster. */
  public interface Subscriber {
    String cluster();

    /** The cluster's endpoints now; null while the table has no entry for it. */
    void endpointsChanged(@Nullable List<Endpoint> endpoints);
  }

  private final Set<Subscriber> subscribers = new LinkedHashSet<>();
  private final List<Consumer<ClusterEndpoints>> watchers = new ArrayList<>();
  private volatile @Nullable ClusterEndpoints current;

  /** The endpoints in force; null before the first document arrived. */
  public @Nullable ClusterEndpoints current() {
    return current;
  }

  /** The version in force; null before the first document. */
  public @Nullable String version() {
    ClusterEndpoints now = current;
    return now == null ? null : now.version();
  }

  /** Puts {@code next} in force and tells every subscriber whose cluster it names or dropped. */
  public synchronized void apply(ClusterEndpoints next) {
    current = next;
    for (Subscriber subscriber : subscribers) {
      subscriber.endpointsChanged(next.of(subscriber.cluster()));
    }
    watchers.forEach(w -> w.accept(next));
  }

  /** Follows {@code subscriber}'s cluster; it is told the current endpoints at once. */
  public synchronized void subscribe(Subscriber subscriber) {
    subscribers.add(subscriber);
    ClusterEndpoints now = current;
    subscriber.endpointsChanged(now == null ? null : now.of(subscriber.cluster()));
  }

  public synchronized void unsubscribe(Subscriber subscriber) {
    subscribers.remove(subscriber);
  }

  /** Calls {@code watcher} after each document is applied (the metrics). */
  public synchronized void watch(Consumer<ClusterEndpoints> watcher) {
    watchers.add(watcher);
  }
}
