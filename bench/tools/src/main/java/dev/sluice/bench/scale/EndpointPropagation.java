package dev.sluice.bench.scale;

import static dev.sluice.bench.scale.OperatorScaleCommand.log;
import static dev.sluice.bench.scale.OperatorScaleCommand.round;
import static dev.sluice.bench.scale.OperatorScaleCommand.seconds;
import static java.util.Objects.requireNonNull;

import dev.sluice.bench.scale.ScaleCluster.SliceEndpoint;
import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The endpoint-propagation phase of operator-scale (issue 21): EndpointSlice changes of the backend
 * Service every route of a namespace sends to, timed from the API write to each simulated sidecar
 * receiving a document that shows the change. Two scopes per repetition: {@code all} changes the
 * backend of every namespace (every sidecar is affected; one write per namespace, each sidecar
 * timed from its namespace's write) and {@code one} changes the first namespace's only (its pods
 * are affected, every other sidecar must get nothing). Four changes per scope: an endpoint added,
 * the same removed, an endpoint turning terminating (not ready, still serving) as in a rolling
 * restart, and ready again; the slice is back where it started after each scope.
 */
final class EndpointPropagation {
  static final Duration TARGET = Duration.ofSeconds(2);

  /** After every sidecar is asking again: lets the service register the polls just sent. */
  private static final Duration SETTLE = Duration.ofMillis(300);

  /** The command's wait: true when {@code done} holds for every one of {@code sidecars} in time. */
  interface Waiter {
    boolean await(List<LightSidecar> sidecars, Predicate<LightSidecar> done, String what)
        throws InterruptedException;
  }

  /**
   * One change of the backend's endpoints.
   *
   * @param name add, remove, terminating or ready
   * @param endpoints the slice's endpoints after it
   * @param ip the address it is about
   * @param shows whether a document's endpoint list for the backend cluster shows it
   */
  private record Change(
      String name, List<SliceEndpoint> endpoints, String ip, Predicate<List<Endpoint>> shows) {}

  private final ScaleCluster objects;
  private final ScaleCluster.Shape shape;
  private final List<LightSidecar> sidecars;
  private final OperatorProcess operator;
  private final Waiter waiter;

  EndpointPropagation(
      ScaleCluster objects,
      ScaleCluster.Shape shape,
      List<LightSidecar> sidecars,
      OperatorProcess operator,
      Waiter waiter) {
    this.objects = objects;
    this.shape = shape;
    this.sidecars = sidecars;
    this.operator = operator;
    this.waiter = waiter;
  }

  /**
   * Waits until every sidecar holds the backend's initial endpoints (its pod's revision names the
   * cluster), then measures {@code repetitions} rounds; the figures, with {@code completed} false
   * when a change did not reach its sidecars within the command's timeout.
   */
  Map<String, Object> run(int repetitions) throws Exception {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("targetSeconds", TARGET.toMillis() / 1000.0);
    figures.put("repetitions", repetitions);
    figures.put("backendEndpoints", shape.backendEndpoints());
    figures.put("completed", false);
    List<SliceEndpoint> initial = objects.initialEndpoints();
    if (!waiter.await(
        sidecars,
        s -> {
          ClusterEndpoints doc = s.endpoints();
          @Nullable List<Endpoint> mine =
              doc == null ? null : doc.clusters().get(ScaleCluster.backendCluster(s.namespace()));
          return mine != null && mine.size() == initial.size();
        },
        "the backend's endpoints")) {
      return figures;
    }
    int configsBefore = configsReceived();
    double cpuBefore = operator.cpuSeconds();
    long started = System.nanoTime();
    figures.put("loadAverageAtStart", loadAverage());
    List<Map<String, Object>> changes = new ArrayList<>();
    figures.put("changes", changes);
    List<String> all = new ArrayList<>();
    for (int n = 0; n < shape.namespaces(); n++) {
      all.add(shape.namespace(n));
    }
    Map<String, List<String>> scopes = new LinkedHashMap<>();
    scopes.put("all", all);
    scopes.put("one", List.of(shape.namespace(0)));
    for (int rep = 1; rep <= repetitions; rep++) {
      int scopeIndex = 0;
      for (Map.Entry<String, List<String>> scope : scopes.entrySet()) {
        scopeIndex++;
        for (Change change : changes(initial, "10.2.%d.%d".formatted(rep, scopeIndex))) {
          Map<String, Object> measured = measure(rep, scope.getKey(), scope.getValue(), change);
          changes.add(measured);
          if (!Boolean.TRUE.equals(measured.get("completed"))) {
            return figures;
          }
        }
      }
    }
    figures.put("phaseSeconds", round(seconds(System.nanoTime() - started)));
    figures.put("operatorCpuSeconds", round(operator.cpuSeconds() - cpuBefore));
    int configs = configsReceived() - configsBefore;
    figures.put("configsReceivedDuringPhase", configs);
    figures.put("summary", summary(changes));
    double worst = changes.stream().mapToDouble(c -> number(c, "maxMs")).max().orElse(Double.NaN);
    figures.put("worstMaxMs", worst);
    figures.put("targetMet", worst <= TARGET.toMillis());
    figures.put("completed", true);
    return figures;
  }

  /** Add an endpoint, remove it, one turning terminating, ready again: back to {@code initial}. */
  private static List<Change> changes(List<SliceEndpoint> initial, String added) {
    List<SliceEndpoint> plus = new ArrayList<>(initial);
    plus.add(SliceEndpoint.ready(added));
    SliceEndpoint first = initial.get(0);
    List<SliceEndpoint> leaving = new ArrayList<>(initial);
    leaving.set(0, first.leaving());
    return List.of(
        new Change("add", plus, added, list -> find(list, added) != null),
        new Change("remove", initial, added, list -> find(list, added) == null),
        new Change(
            "terminating",
            leaving,
            first.ip(),
            list -> {
              Endpoint e = find(list, first.ip());
              return e != null && !e.ready() && e.terminating();
            }),
        new Change(
            "ready",
            initial,
            first.ip(),
            list -> {
              Endpoint e = find(list, first.ip());
              return e != null && e.ready() && !e.terminating();
            }));
  }

  private static @Nullable Endpoint find(List<Endpoint> list, String ip) {
    for (Endpoint e : list) {
      if (e.address().startsWith(ip + ":")) {
        return e;
      }
    }
    return null;
  }

  private Map<String, Object> measure(int rep, String scope, List<String> namespaces, Change change)
      throws Exception {
    List<LightSidecar> affected = new ArrayList<>();
    List<LightSidecar> others = new ArrayList<>();
    for (LightSidecar s : sidecars) {
      (namespaces.contains(s.namespace()) ? affected : others).add(s);
    }
    String what = "endpoints %s (%s, repetition %d)".formatted(change.name(), scope, rep);
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("repetition", rep);
    figures.put("scope", scope);
    figures.put("change", change.name());
    figures.put("sidecars", affected.size());
    figures.put("writes", namespaces.size());
    figures.put("completed", false);
    if (!settled(what)) {
      return figures;
    }
    figures.put("loadAverage", loadAverage());
    double cpuBefore = operator.cpuSeconds();
    long since = System.nanoTime();
    Map<String, Long> written = write(namespaces, change, figures);
    Predicate<LightSidecar> reached =
        s -> s.firstArrival(requireNonNull(written.get(s.namespace())), shows(s, change)) >= 0;
    if (!waiter.await(affected, reached, what)) {
      return figures;
    }
    long[] latencies = new long[affected.size()];
    for (int i = 0; i < latencies.length; i++) {
      LightSidecar s = affected.get(i);
      long at = requireNonNull(written.get(s.namespace()));
      latencies[i] = s.firstArrival(at, shows(s, change)) - at;
    }
    Arrays.sort(latencies);
    figures.put("minMs", millis(latencies[0]));
    figures.put("p50Ms", millis(percentile(latencies, 0.50)));
    figures.put("p99Ms", millis(percentile(latencies, 0.99)));
    figures.put("maxMs", millis(latencies[latencies.length - 1]));
    // Every sidecar ACKed and asks again: the change's whole cost to the operator.
    if (!settled(what + ", the ACKs")) {
      return figures;
    }
    figures.put("operatorCpuSeconds", round(operator.cpuSeconds() - cpuBefore));
    figures.put(
        "documentsToOtherSidecars", others.stream().mapToInt(s -> s.endpointsSince(since)).sum());
    figures.put(
        "extraDocuments",
        affected.stream().mapToInt(s -> s.endpointsSince(since)).sum() - affected.size());
    figures.put("completed", true);
    log(
        "%s: p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d sidecars",
        what,
        number(figures, "p50Ms"),
        number(figures, "p99Ms"),
        number(figures, "maxMs"),
        affected.size());
    return figures;
  }

  /** One write per namespace, one after the other; when each was sent. */
  private Map<String, Long> write(
      List<String> namespaces, Change change, Map<String, Object> figures) {
    long started = System.nanoTime();
    Map<String, Long> written = new HashMap<>();
    long longest = 0;
    for (String namespace : namespaces) {
      long at = System.nanoTime();
      objects.setBackendEndpoints(namespace, change.endpoints());
      written.put(namespace, at);
      longest = Math.max(longest, System.nanoTime() - at);
    }
    figures.put("writeMsLongest", millis(longest));
    figures.put("writesMs", millis(System.nanoTime() - started));
    return written;
  }

  private static Predicate<ClusterEndpoints> shows(LightSidecar sidecar, Change change) {
    String cluster = ScaleCluster.backendCluster(sidecar.namespace());
    return doc -> {
      List<Endpoint> list = doc.clusters().get(cluster);
      return list != null && change.shows().test(list);
    };
  }

  /** Every sidecar asking with the document it holds, then a moment for the service to hold it. */
  private boolean settled(String what) throws InterruptedException {
    if (!waiter.await(sidecars, LightSidecar::awaitingEndpoints, "polls held before " + what)) {
      return false;
    }
    Thread.sleep(SETTLE.toMillis()); // another process registers them: nothing to wait on
    return true;
  }

  /** Per scope and change: the median and range over repetitions of p50, p99 and max. */
  private static Map<String, Object> summary(List<Map<String, Object>> changes) {
    Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
    for (Map<String, Object> c : changes) {
      groups.computeIfAbsent(c.get("scope") + "/" + c.get("change"), k -> new ArrayList<>()).add(c);
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    for (Map.Entry<String, List<Map<String, Object>>> group : groups.entrySet()) {
      Map<String, Object> figures = new LinkedHashMap<>();
      for (String key : List.of("p50Ms", "p99Ms", "maxMs", "operatorCpuSeconds")) {
        double[] values =
            group.getValue().stream().mapToDouble(c -> number(c, key)).sorted().toArray();
        Map<String, Object> spread = new LinkedHashMap<>();
        spread.put("median", round(median(values)));
        spread.put("min", values[0]);
        spread.put("max", values[values.length - 1]);
        figures.put(key, spread);
      }
      summary.put(group.getKey(), figures);
    }
    return summary;
  }

  private static double number(Map<String, Object> figures, String key) {
    return ((Number) requireNonNull(figures.get(key), key)).doubleValue();
  }

  private int configsReceived() {
    return sidecars.stream().mapToInt(LightSidecar::configsReceived).sum();
  }

  /** The 1-minute load average of the machine, as uptime shows it. */
  private static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ", -1)[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Nearest rank. */
  private static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 1e5) / 10.0;
  }
}
