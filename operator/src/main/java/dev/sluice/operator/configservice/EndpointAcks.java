package dev.sluice.operator.configservice;

import dev.sluice.operator.metrics.OperatorMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What each pod following endpoints was offered and what its sidecar acknowledged, in memory only
 * (an endpoint change is never written to the API: no pod annotation, no status, no event). A pod
 * is behind while the version it last applied is not its current document's; the time from the
 * EndpointSlice event that made a version to the pod's ACK of it is the propagation time. Pods
 * enter on their first endpoint poll and leave when they are deleted.
 */
final class EndpointAcks {
  /**
   * One pod's state.
   *
   * @param version its current document's version
   * @param sinceNanos when that version was made (the event's arrival, {@code System.nanoTime})
   * @param bySlice whether an EndpointSlice or Service event made it (a propagation to measure)
   * @param applied the last version its sidecar reported applied (null before the first)
   */
  record State(String version, long sinceNanos, boolean bySlice, @Nullable String applied) {
    State withApplied(String version) {
      return new State(this.version, sinceNanos, bySlice, version);
    }
  }

  private final Map<String, State> pods = new ConcurrentHashMap<>();
  private final OperatorMetrics metrics;

  EndpointAcks(OperatorMetrics metrics) {
    this.metrics = metrics;
    metrics.gauge(
        "sluice_operator_endpoints_lagging_pods",
        "Pods whose sidecar has not applied its current endpoint document yet",
        this::lagging);
  }

  /** {@code pod} follows endpoints from now on, its document {@code version} (if not yet known). */
  void track(String pod, String version, long nanos) {
    pods.putIfAbsent(pod, new State(version, nanos, false, null));
  }

  /** {@code pod}'s current document is {@code version}, made at {@code nanos}. */
  void offered(String pod, String version, long nanos, boolean bySlice) {
    pods.compute(
        pod,
        (k, s) ->
            s == null
                ? new State(version, nanos, bySlice, null)
                : s.version().equals(version)
                    ? s
                    : new State(version, nanos, bySlice, s.applied()));
  }

  /** The sidecar of {@code pod} applied {@code version} at {@code nanos}. */
  void applied(String pod, String version, long nanos) {
    State before = pods.get(pod);
    State after = pods.computeIfPresent(pod, (k, s) -> s.withApplied(version));
    if (before != null
        && after != null
        && before.bySlice()
        && version.equals(before.version())
        && !version.equals(before.applied())) {
      metrics.endpointsPropagated(Duration.ofNanos(nanos - before.sinceNanos()));
    }
  }

  /** The pods of {@code namespace} following endpoints ({@code <namespace>/<pod>} keys). */
  Set<String> pods(String namespace) {
    String prefix = namespace + "/";
    return pods.keySet().stream().filter(k -> k.startsWith(prefix)).collect(Collectors.toSet());
  }

  @Nullable State state(String pod) {
    return pods.get(pod);
  }

  void forget(String pod) {
    pods.remove(pod);
  }

  int lagging() {
    return (int) pods.values().stream().filter(s -> !s.version().equals(s.applied())).count();
  }
}
