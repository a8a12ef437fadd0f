package dev.sluice.sandbox;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Prints a namespace's ProxyRoutes' and OffloadAgents' conditions whenever they change, from API
 * watch events (no polling): one status line per change, a route's with its rollout progress and
 * revision.
 */
final class StatusWatcher implements AutoCloseable {
  /** The conditions printed, in this order, when present. */
  private static final List<String> TYPES = List.of("Ready", "Reconciling", "Stalled", "Available");

  private final Narration narration;

  /** The last line printed for each resource, so an unchanged status prints nothing. */
  private final Map<String, String> last = new ConcurrentHashMap<>();

  private final List<Watch> watches = new ArrayList<>();

  StatusWatcher(KubernetesClient client, String namespace, Narration narration) {
    this.narration = narration;
    watches.add(
        client
            .resources(ProxyRoute.class)
            .inNamespace(namespace)
            .watch(
                changes(
                    r ->
                        print(
                            "ProxyRoute " + r.getMetadata().getName(),
                            r.getStatus() == null ? null : r.getStatus().conditions(),
                            rollout(r.getStatus())))));
    watches.add(
        client
            .resources(OffloadAgent.class)
            .inNamespace(namespace)
            .watch(
                changes(
                    a ->
                        print(
                            "OffloadAgent " + a.getMetadata().getName(),
                            a.getStatus() == null ? null : a.getStatus().conditions(),
                            ""))));
  }

  private static String rollout(@Nullable ProxyRouteStatus status) {
    return status == null || status.rollout() == null
        ? ""
        : " updated "
            + status.rollout().updatedPods()
            + "/"
            + status.rollout().selectedPods()
            + " revision "
            + status.revision();
  }

  private static <T> Watcher<T> changes(Consumer<T> onChange) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, T object) {
        if (action != Action.DELETED) {
          onChange.accept(object);
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  private void print(String who, @Nullable List<Condition> conditions, String extra) {
    if (conditions == null) {
      return;
    }
    StringBuilder line = new StringBuilder();
    for (String type : TYPES) {
      Condition c = Conditions.find(conditions, type);
      if (c != null) {
        line.append(' ')
            .append(type)
            .append('=')
            .append(c.getStatus())
            .append('(')
            .append(c.getReason())
            .append(')');
      }
    }
    String text = line + extra;
    if (!text.equals(last.get(who))) {
      last.put(who, text);
      narration.status(who, text);
    }
  }

  @Override
  public synchronized void close() {
    watches.forEach(Watch::close);
  }
}
