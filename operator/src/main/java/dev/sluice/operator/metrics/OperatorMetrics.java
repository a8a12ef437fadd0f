package dev.sluice.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The operator's Prometheus metrics: reconciles by kind and outcome, assignments handed out,
 * rollout progress per ProxyRoute (selected / updated / failed pods), config-service clients (held
 * long-polls) and sidecar reports by outcome. Names start with {@code sluice_operator_}.
 */
public final class OperatorMetrics {
  private final MeterRegistry registry;
  private final Counter assignments;
  private final Map<String, AtomicInteger> gauges = new ConcurrentHashMap<>();
  private final Timer endpointsPropagation;
  private final MultiGauge clusterReady;
  private final Map<String, Integer> readyByCluster = new ConcurrentHashMap<>();

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.assignments =
        Counter.builder("sluice_operator_assignments")
            .description("Config revisions assigned to pods")
            .register(registry);
    this.endpointsPropagation =
        Timer.builder("sluice_operator_endpoints_propagation")
            .description(
                "Time from an EndpointSlice event to the sidecar's ACK of the endpoint document"
                    + " it made")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    this.clusterReady =
        MultiGauge.builder("sluice_operator_cluster_ready_endpoints")
            .description(
                "Ready endpoints of each cluster the sidecars served by this replica need (0: the"
                    + " backend has no ready endpoint)")
            .register(registry);
  }

  /** Metrics nobody reads (tests, tools). */
  public static OperatorMetrics none() {
    return new OperatorMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void reconciled(String kind, String outcome) {
    registry
        .counter("sluice_operator_reconciles", Tags.of("kind", kind, "outcome", outcome))
        .increment();
  }

  public void assigned() {
    assignments.increment();
  }

  public void report(String outcome) {
    registry.counter("sluice_operator_sidecar_reports", Tags.of("outcome", outcome)).increment();
  }

  public void tokenRefused(String reason) {
    registry
        .counter("sluice_operator_config_service_refused", Tags.of("reason", reason))
        .increment();
  }

  /** A sidecar's endpoint ACK: {@code applied} or {@code rejected}. */
  public void endpointsAck(String outcome) {
    registry.counter("sluice_operator_endpoints_acks", Tags.of("outcome", outcome)).increment();
  }

  /** The time from an EndpointSlice event to a sidecar's ACK of the document it made. */
  public void endpointsPropagated(Duration time) {
    endpointsPropagation.record(time);
  }

  /** The ready endpoints of {@code namespace}'s clusters now needed (the others are dropped). */
  public void clusterReadyEndpoints(String namespace, Map<String, Integer> ready) {
    String prefix = namespace + "/";
    if (ready.isEmpty() && readyByCluster.keySet().stream().noneMatch(k -> k.startsWith(prefix))) {
      return; // nothing to drop, nothing to add
    }
    synchronized (readyByCluster) {
      readyByCluster.keySet().removeIf(k -> k.startsWith(prefix));
      readyByCluster.putAll(ready);
      clusterReady.register(
          readyByCluster.entrySet().stream()
              .map(e -> MultiGauge.Row.of(Tags.of("cluster", e.getKey()), e.getValue()))
              .toList(),
          true);
    }
  }

  /** A gauge read from {@code value} (e.g. held long-polls). */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  /** Rollout progress of one ProxyRoute after a pass: pods selected, updated and failed. */
  public void rollout(String namespace, String route, int selected, int updated, int failed) {
    set(namespace, route, "selected", selected);
    set(namespace, route, "updated", updated);
    set(namespace, route, "failed", failed);
  }

  private void set(String namespace, String route, String state, int value) {
    String key = namespace + "/" + route + "/" + state;
    gauges
        .computeIfAbsent(
            key,
            k -> {
              AtomicInteger holder = new AtomicInteger();
              Gauge.builder("sluice_operator_rollout_pods", holder, AtomicInteger::get)
                  .description("Pods of a ProxyRoute's rollout by state")
                  .tags("namespace", namespace, "proxyroute", route, "state", state)
                  .register(registry);
              return holder;
            })
        .set(value);
  }
}
