package dev.sluice.sandbox;

import dev.sluice.sidecar.Sidecar;
import dev.sluice.sidecar.config.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Times each EndpointSlice write to each sidecar: every document a sidecar's {@code EndpointTable}
 * puts in force is recorded with the time (its pools already follow it then), and a write counts as
 * reached when the sidecar has its endpoints or those of a later write (writes in quick succession
 * may reach it as one document).
 */
final class EndpointPropagation implements AutoCloseable {
  /**
   * A document a sidecar put in force: when, and the cluster's endpoints as the writes put them.
   */
  private record Seen(long nanos, List<String> endpoints) {}

  /** What a sidecar never matched to any write (a document no write produced). */
  private final List<String> strays = new CopyOnWriteArrayList<>();

  private final Map<String, List<Seen>> seen = new LinkedHashMap<>();

  /** The name the EndpointSlice watch's figures go under. */
  static final String WATCH = "API watch";

  private final Watch sliceWatch;

  /**
   * Starts recording every sidecar of {@code pods} following {@code cluster}, and what a watch of
   * the EndpointSlice (as the operator's informer has one) receives, under the name {@value
   * #WATCH}: the API server's share of the time.
   */
  EndpointPropagation(List<PodRunner.RunningPod> pods, String cluster, KubernetesClient client) {
    List<Seen> watched = new CopyOnWriteArrayList<>();
    seen.put(WATCH, watched);
    sliceWatch =
        client
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(ShopDemo.NS)
            .withLabel("kubernetes.io/service-name", StorefrontReplicas.SERVICE)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, EndpointSlice slice) {
                    long now = System.nanoTime();
                    List<String> endpoints = new ArrayList<>();
                    for (var e : slice.getEndpoints()) {
                      var c = e.getConditions();
                      boolean ready = c == null || !Boolean.FALSE.equals(c.getReady());
                      endpoints.add(
                          StorefrontReplicas.describe(
                              e.getAddresses().get(0) + ":" + StorefrontReplicas.PORT,
                              ready,
                              c == null || c.getServing() == null ? ready : c.getServing(),
                              c != null && Boolean.TRUE.equals(c.getTerminating())));
                    }
                    watched.add(new Seen(now, endpoints.stream().sorted().toList()));
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    for (PodRunner.RunningPod pod : pods) {
      Sidecar sidecar = Objects.requireNonNull(pod.sidecar(), pod.name() + " runs a sidecar");
      List<Seen> documents = new CopyOnWriteArrayList<>();
      seen.put(pod.name(), documents);
      sidecar
          .endpoints()
          .watch(
              doc -> {
                List<Endpoint> endpoints = doc.of(cluster);
                if (endpoints != null) {
                  documents.add(new Seen(System.nanoTime(), describe(endpoints)));
                }
              });
    }
  }

  static List<String> describe(List<Endpoint> endpoints) {
    return endpoints.stream()
        .map(e -> StorefrontReplicas.describe(e.address(), e.ready(), e.serving(), e.terminating()))
        .sorted()
        .toList();
  }

  /**
   * The milliseconds from each write to each sidecar having it ({@code millis}; the API watch's
   * under {@value #WATCH}), the part of it after the API watch had the write ({@code afterWatch}:
   * the operator and the sidecar's share, the API server's left out), and the writes a sidecar
   * never reached.
   */
  record Figures(
      Map<String, List<Long>> millis,
      Map<String, List<Long>> afterWatch,
      Map<String, List<Integer>> unreached) {
    /** Every sidecar's figures (not the API watch's), sorted. */
    List<Long> all() {
      return sidecars(millis);
    }

    /** Whether every sidecar reached every write. */
    boolean allReached() {
      return unreached.entrySet().stream()
          .filter(e -> !e.getKey().equals(WATCH))
          .allMatch(e -> e.getValue().isEmpty());
    }

    long max() {
      return percentile(all(), 100);
    }

    /** The longest time from the API watch having a write to a sidecar having it. */
    long maxAfterWatch() {
      return percentile(sidecars(afterWatch), 100);
    }

    private static List<Long> sidecars(Map<String, List<Long>> figures) {
      return figures.entrySet().stream()
          .filter(e -> !e.getKey().equals(WATCH))
          .flatMap(e -> e.getValue().stream())
          .sorted()
          .toList();
    }

    static long percentile(List<Long> sorted, int p) {
      return sorted.isEmpty()
          ? -1
          : sorted.get(Math.min(sorted.size() - 1, (sorted.size() - 1) * p / 100));
    }

    private static String figures(List<Long> list) {
      List<Long> sorted = list.stream().sorted().toList();
      return "p50 %d ms, p90 %d ms, p99 %d ms, max %d ms"
          .formatted(
              percentile(sorted, 50),
              percentile(sorted, 90),
              percentile(sorted, 99),
              percentile(sorted, 100));
    }

    String summary() {
      StringBuilder out = new StringBuilder();
      out.append(
          "propagation, EndpointSlice write to sidecar, over %d (write, sidecar) pairs: %s"
              .formatted(all().size(), figures(all())));
      out.append(
          "\n  of which after the API watch had the write (operator and sidecar): %s"
              .formatted(figures(sidecars(afterWatch))));
      millis.forEach(
          (source, list) ->
              out.append(
                  "\n  %s: %d writes, %s, unreached %s"
                      .formatted(source, list.size(), figures(list), unreached.get(source))));
      return out.toString();
    }
  }

  /** The figures for {@code writes} from index {@code from} on. */
  Figures measure(List<StorefrontReplicas.SliceWrite> writes, int from) {
    Map<String, long[]> reachedAt = new LinkedHashMap<>();
    seen.forEach((source, documents) -> reachedAt.put(source, reached(source, documents, writes)));
    long[] watched = reachedAt.get(WATCH);
    Map<String, List<Long>> millis = new LinkedHashMap<>();
    Map<String, List<Long>> afterWatch = new LinkedHashMap<>();
    Map<String, List<Integer>> unreached = new LinkedHashMap<>();
    reachedAt.forEach(
        (source, at) -> {
          List<Long> total = new ArrayList<>();
          List<Long> after = new ArrayList<>();
          List<Integer> missing = new ArrayList<>();
          for (int k = from; k < writes.size(); k++) {
            if (at[k] == 0) {
              missing.add(k);
              continue;
            }
            total.add((at[k] - writes.get(k).sentNanos()) / 1_000_000);
            if (watched[k] != 0) {
              after.add((at[k] - watched[k]) / 1_000_000);
            }
          }
          millis.put(source, total);
          afterWatch.put(source, after);
          unreached.put(source, missing);
        });
    return new Figures(millis, afterWatch, unreached);
  }

  /**
   * When {@code source} first had each write's endpoints or a later write's ({@link
   * System#nanoTime()}; 0: never).
   */
  private long[] reached(
      String source, List<Seen> documents, List<StorefrontReplicas.SliceWrite> writes) {
    long[] at = new long[writes.size()];
    int reached = -1;
    for (Seen doc : documents) {
      int match = -1;
      for (int k = writes.size() - 1; k >= 0; k--) {
        if (writes.get(k).endpoints().equals(doc.endpoints())) {
          match = k;
          break;
        }
      }
      if (match < 0) {
        strays.add(source + ": " + doc.endpoints());
        continue;
      }
      for (int k = reached + 1; k <= match; k++) {
        at[k] = doc.nanos();
      }
      reached = Math.max(reached, match);
    }
    return at;
  }

  /** Stops watching the EndpointSlice. */
  @Override
  public void close() {
    sliceWatch.close();
  }

  /** Documents no write produced (none expected). */
  List<String> strays() {
    return List.copyOf(strays);
  }
}
