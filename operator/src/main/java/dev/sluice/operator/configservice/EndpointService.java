package dev.sluice.operator.configservice;

import com.sun.net.httpserver.HttpExchange;
import dev.sluice.operator.http.PlainReplies;
import dev.sluice.operator.metrics.OperatorMetrics;
import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.Endpoint;
import dev.sluice.sidecar.config.EndpointsReport;
import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Endpoint documents, the operator side of docs/design/20261206-live-endpoints.md, served by the
 * {@link ConfigService} beside the config (same TLS, same token check):
 *
 * <ul>
 *   <li>{@code GET <base>/endpoints?known=<version>}: 200 with the pod's {@link ClusterEndpoints}
 *       when its version differs from {@code known}; otherwise held (no thread waits) until it does
 *       or the hold time passes, then 204.
 *   <li>{@code POST <base>/endpoints/status} {@code {version, outcome: Applied|Rejected, reason}}:
 *       the ACK, kept in memory ({@link EndpointAcks}); 204.
 * </ul>
 *
 * A held poll is answered the moment its pod's document changes: on a Service or EndpointSlice
 * event every pod of the namespace whose document changed is answered at once, whatever the rollout
 * of its routes; a change of the pod's revisions (a rollout step) may change the clusters it needs.
 * Nothing else wakes a poll, and nothing of this is written to the API server.
 */
public final class EndpointService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointService.class);
  static final int MAX_ACK = 16 * 1024;

  private final PodDirectory pods;
  private final EndpointSliceDirectory slices;
  private final PodClusters clusters;
  private final EndpointAcks acks;
  private final OperatorMetrics metrics;
  private final Duration hold;
  private final LongSupplier nanos;
  private final ExecutorService wakeups = Executors.newSingleThreadExecutor(daemon("wakeups"));
  private final ExecutorService answers = Executors.newFixedThreadPool(4, daemon("answers"));
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(daemon("holds"));
  private final Map<String, Set<Poll>> held = new ConcurrentHashMap<>();
  private final Map<String, String> rejected = new ConcurrentHashMap<>();

  /** An endpoint long-poll waiting for its pod's document to change. */
  private static final class Poll {
    final HttpExchange exchange;
    final String pod;
    final @Nullable String known;
    final AtomicBoolean answered = new AtomicBoolean();
    @Nullable ScheduledFuture<?> timeout; // set once the poll is registered

    Poll(HttpExchange exchange, String pod, @Nullable String known) {
      this.exchange = exchange;
      this.pod = pod;
      this.known = known;
    }
  }

  /** {@code nanos}: the ticker propagation times are measured with ({@code System::nanoTime}). */
  public EndpointService(
      PodDirectory pods,
      EndpointSliceDirectory slices,
      RevisionStore revisions,
      OperatorMetrics metrics,
      Duration hold,
      LongSupplier nanos) {
    this.pods = pods;
    this.slices = slices;
    this.clusters = new PodClusters(revisions);
    this.acks = new EndpointAcks(metrics);
    this.metrics = metrics;
    this.hold = hold;
    this.nanos = nanos;
    metrics.gauge(
        "sluice_operator_endpoints_clients",
        "Sidecars holding an endpoint long-poll on this replica",
        this::heldPolls);
    slices.onChange(
        namespace -> {
          long at = nanos.getAsLong();
          wakeups.execute(() -> namespaceChanged(namespace, at));
        });
    pods.onChange(pod -> wakeups.execute(() -> podChanged(pod)));
  }

  /** Endpoint long-polls held right now (tests, metrics). */
  public int heldPolls() {
    return held.values().stream().mapToInt(Set::size).sum();
  }

  void poll(HttpExchange exchange, String namespace, String pod, @Nullable String known)
      throws IOException {
    String key = namespace + "/" + pod;
    EndpointDocuments.Document document = document(namespace, pod, slices.clusters(namespace));
    acks.track(key, document.version(), nanos.getAsLong());
    if (!document.version().equals(known)) {
      send(exchange, document);
      return;
    }
    Poll poll = new Poll(exchange, key, known);
    held.compute(
        key,
        (k, polls) -> {
          Set<Poll> set = polls == null ? ConcurrentHashMap.newKeySet() : polls;
          set.add(poll);
          return set;
        });
    poll.timeout = timer.schedule(() -> finish(poll, null), hold.toMillis(), TimeUnit.MILLISECONDS);
    // The document may have changed between the first look and registering.
    EndpointDocuments.Document now = document(namespace, pod, slices.clusters(namespace));
    if (!now.version().equals(known)) {
      finish(poll, now);
    }
  }

  void ack(HttpExchange exchange, String namespace, String pod) throws IOException {
    byte[] body = exchange.getRequestBody().readNBytes(MAX_ACK + 1);
    if (body.length > MAX_ACK) {
      PlainReplies.send(exchange, 413, "endpoint ACK larger than " + MAX_ACK + " bytes");
      return;
    }
    EndpointsReport ack;
    try {
      ack = SidecarConfigCodec.readEndpointsReport(new String(body, StandardCharsets.UTF_8));
    } catch (InvalidConfigException e) {
      ack = null;
    }
    if (ack == null || ack.version() == null || ack.outcome() == null) {
      PlainReplies.send(
          exchange,
          400,
          "invalid endpoint ACK (expected: {\"version\": \"<version>\", \"outcome\": \"Applied\" or"
              + " \"Rejected\", \"reason\": \"<why, when rejected>\"})");
      return;
    }
    String key = namespace + "/" + pod;
    metrics.endpointsAck(ack.outcome().name().toLowerCase(Locale.ROOT));
    if (ack.outcome() == SidecarReport.Outcome.Applied) {
      acks.applied(key, ack.version(), nanos.getAsLong());
    } else if (!ack.version().equals(rejected.put(key, ack.version()))) {
      LOG.warn("pod {} rejected endpoints {}: {}", key, ack.version(), ack.reason());
    }
    exchange.sendResponseHeaders(204, -1);
    exchange.close();
  }

  /** A Service or EndpointSlice of {@code namespace} changed: every changed document goes out. */
  private void namespaceChanged(String namespace, long at) {
    Set<String> following = new TreeSet<>(acks.pods(namespace));
    held.keySet().stream().filter(k -> k.startsWith(namespace + "/")).forEach(following::add);
    Map<String, Integer> ready = new TreeMap<>();
    if (following.isEmpty()) {
      metrics.clusterReadyEndpoints(namespace, ready); // no sidecar here follows endpoints
      return;
    }
    Map<String, List<Endpoint>> endpoints = slices.clusters(namespace);
    Map<Set<String>, EndpointDocuments.Document> documents = new HashMap<>();
    for (String key : following) {
      Optional<Pod> pod = pods.get(namespace, key.substring(namespace.length() + 1));
      if (pod.isEmpty()) {
        acks.forget(key);
        continue;
      }
      EndpointDocuments.Document document =
          documents.computeIfAbsent(
              clusters.of(pod.get()), names -> EndpointDocuments.of(names, endpoints));
      document
          .endpoints()
          .clusters()
          .forEach(
              (name, list) -> ready.put(name, (int) list.stream().filter(Endpoint::ready).count()));
      acks.offered(key, document.version(), at, true);
      wake(key, document);
    }
    metrics.clusterReadyEndpoints(namespace, ready);
  }

  /** A pod changed: its revisions may name other clusters now. */
  private void podChanged(Pod changed) {
    String namespace = changed.getMetadata().getNamespace();
    String name = changed.getMetadata().getName();
    String key = namespace + "/" + name;
    if (pods.get(namespace, name).isEmpty()) {
      acks.forget(key);
      rejected.remove(key);
      return;
    }
    if (acks.state(key) == null && !held.containsKey(key)) {
      return; // not following endpoints
    }
    EndpointDocuments.Document document = document(namespace, name, slices.clusters(namespace));
    acks.offered(key, document.version(), nanos.getAsLong(), false);
    wake(key, document);
  }

  /** Answers every held poll of {@code pod} that does not know {@code document} yet. */
  private void wake(String pod, EndpointDocuments.Document document) {
    Set<Poll> waiting = held.get(pod);
    if (waiting == null) {
      return;
    }
    for (Poll poll : waiting) {
      if (!document.version().equals(poll.known)) {
        answers.execute(() -> finish(poll, document));
      }
    }
  }

  private EndpointDocuments.Document document(
      String namespace, String pod, Map<String, List<Endpoint>> endpoints) {
    Set<String> names = pods.get(namespace, pod).map(clusters::of).orElse(Set.of());
    return EndpointDocuments.of(names, endpoints);
  }

  /** Answers a held poll once: {@code document}, or 204 when null. */
  private void finish(Poll poll, EndpointDocuments.@Nullable Document document) {
    if (!poll.answered.compareAndSet(false, true)) {
      return;
    }
    if (poll.timeout != null) {
      poll.timeout.cancel(false);
    }
    held.computeIfPresent(
        poll.pod,
        (k, polls) -> {
          polls.remove(poll);
          return polls.isEmpty() ? null : polls;
        });
    try {
      if (document == null) {
        poll.exchange.sendResponseHeaders(204, -1);
        poll.exchange.close();
      } else {
        send(poll.exchange, document);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not answer an endpoint poll of {}: {}", poll.pod, e.getMessage());
      poll.exchange.close();
    }
  }

  private static void send(HttpExchange exchange, EndpointDocuments.Document document)
      throws IOException {
    byte[] json = document.json();
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, json.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(json);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String role) {
    return runnable -> {
      Thread thread = new Thread(runnable, "sluice-endpoints-" + role);
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void close() {
    wakeups.shutdownNow();
    for (Set<Poll> set : held.values()) {
      for (Poll poll : set) {
        finish(poll, null);
      }
    }
    answers.shutdownNow();
    timer.shutdownNow();
  }
}
