package dev.sluice.operator.configservice;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.sluice.api.Labels;
import dev.sluice.operator.http.PlainReplies;
import dev.sluice.operator.metrics.OperatorMetrics;
import dev.sluice.operator.pods.AgentHealthRecord;
import dev.sluice.operator.pods.PodRollout;
import dev.sluice.operator.pods.PodWriter;
import dev.sluice.operator.rollout.PodStep;
import dev.sluice.operator.rollout.RolloutLog;
import dev.sluice.sidecar.config.ConfigOrigin;
import dev.sluice.sidecar.config.ContractFields;
import dev.sluice.sidecar.config.ContractRendering;
import dev.sluice.sidecar.config.ContractVersions;
import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config service (every replica serves it), the operator side of
 * docs/design/20261121-config-service-contract.md:
 *
 * <ul>
 *   <li>{@code GET /v1/pods/<ns>/<pod>/config?known=<revision>}: 200 with the pod's assigned config
 *       as JSON when its revision differs from {@code known}, as the contract version the request
 *       announced sees it ({@link ContractFields#render}); otherwise the request is held (no thread
 *       waits) until the assignment changes or the hold time passes, then 204. A revision that
 *       contract cannot run without changing what it does is never sent: the poll is held as if
 *       nothing changed (the reconciler does not assign one; this covers a race with it).
 *   <li>{@code POST /v1/pods/<ns>/<pod>/status}: a {@link SidecarReport}, recorded on the Pod
 *       (annotations and the {@code sluice.dev/ConfigApplied} condition); 204.
 *   <li>{@code GET /v1/pods/<ns>/<pod>/endpoints?known=<version>} and {@code POST
 *       /v1/pods/<ns>/<pod>/endpoints/status}: the pod's endpoint document and its ACK, served by
 *       the {@link EndpointService}.
 *   <li>{@code POST /v1/pods/<ns>/<pod>/health}: the offload agents' health as the sidecar sees it,
 *       recorded on the Pod when it changed (the OffloadAgents' {@code Available}); 204.
 * </ul>
 *
 * Every request announces the contract version its sidecar speaks ({@link ContractVersions#HEADER};
 * none: the oldest supported), recorded on the Pod when it changed ({@link Labels#CONTRACT}). Every
 * request carries the pod's projected ServiceAccount token; the {@link TokenReviewer}'s identity
 * must be the pod the path names (a sidecar presenting another pod's token gets 403). Errors are
 * one sentence naming what was wrong and what was expected.
 */
public final class ConfigService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigService.class);
  static final Pattern PATH =
      Pattern.compile(
          "^/v1/pods/([a-z0-9]([-a-z0-9]*[a-z0-9])?)/([^/]+)/"
              + "(config|status|health|endpoints|endpoints/status)$");

  /**
   * Pending connections the socket queues (every sidecar holds two long-polls: its config and its
   * endpoints).
   */
  public static final int BACKLOG = 1024;

  static final int MAX_REPORT = 256 * 1024;
  private static final com.fasterxml.jackson.databind.ObjectMapper HEALTH_JSON =
      com.fasterxml.jackson.databind.json.JsonMapper.builder().build();

  private final HttpsServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(8);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final TokenReviewer tokens;
  private final PodDirectory pods;
  private final RevisionStore revisions;
  private final PodWriter writer;
  private final EndpointService endpoints;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final Duration hold;
  private final ContractFields contract;
  private final Map<String, Set<Held>> held = new ConcurrentHashMap<>();
  private volatile boolean closing;

  /** A long-poll waiting for its pod's assignment to change. */
  private static final class Held {
    final HttpExchange exchange;
    final String namespace;
    final String pod;
    final @Nullable String known;
    final int contract;
    final AtomicBoolean answered = new AtomicBoolean();
    @Nullable ScheduledFuture<?> timeout; // set once the long-poll is registered

    Held(
        HttpExchange exchange, String namespace, String pod, @Nullable String known, int contract) {
      this.exchange = exchange;
      this.namespace = namespace;
      this.pod = pod;
      this.known = known;
      this.contract = contract;
    }
  }

  /** Serves on {@code server}: bound, not yet started (this starts it). */
  public ConfigService(
      HttpsServer server,
      SSLContext tls,
      TokenReviewer tokens,
      PodDirectory pods,
      RevisionStore revisions,
      PodWriter writer,
      EndpointService endpoints,
      OperatorMetrics metrics,
      Clock clock,
      Duration hold,
      ContractFields contract) {
    this.tokens = tokens;
    this.pods = pods;
    this.revisions = revisions;
    this.writer = writer;
    this.endpoints = endpoints;
    this.metrics = metrics;
    this.clock = clock;
    this.hold = hold;
    this.contract = contract;
    pods.onChange(this::podChanged);
    metrics.gauge(
        "sluice_operator_config_service_clients",
        "Sidecars holding a long-poll on this replica",
        () -> held.values().stream().mapToInt(Set::size).sum());
    this.server = server;
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.setExecutor(threads);
    server.createContext("/v1/pods/", this::handle);
    server.start();
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Long-polls held right now (tests, metrics). */
  public int held() {
    return held.values().stream().mapToInt(Set::size).sum();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String path = exchange.getRequestURI().getRawPath();
      Matcher m = PATH.matcher(path);
      if (!m.matches()) {
        PlainReplies.send(
            exchange,
            404,
            "no such path "
                + path
                + " (expected: /v1/pods/<ns>/<pod>/config, /status, /health, /endpoints or"
                + " /endpoints/status)");
        return;
      }
      String namespace = m.group(1);
      String pod = URLDecoder.decode(m.group(3), StandardCharsets.UTF_8);
      String what = m.group(4);
      String method = exchange.getRequestMethod();
      String expected = what.equals("config") || what.equals("endpoints") ? "GET" : "POST";
      if (!expected.equals(method)) {
        PlainReplies.send(exchange, 405, method + " " + path + " (expected: " + expected + ")");
        return;
      }
      Optional<String> refused = authorize(exchange, namespace, pod);
      if (refused.isPresent()) {
        return;
      }
      int announced;
      try {
        announced =
            ContractVersions.announced(
                exchange.getRequestHeaders().getFirst(ContractVersions.HEADER));
      } catch (IllegalArgumentException e) {
        PlainReplies.send(exchange, 400, requireNonNull(e.getMessage())); // names header and value
        return;
      }
      recordContract(namespace, pod, announced);
      switch (what) {
        case "config" -> config(exchange, namespace, pod, query(exchange, "known"), announced);
        case "status" -> status(exchange, namespace, pod);
        case "endpoints" -> endpoints.poll(exchange, namespace, pod, query(exchange, "known"));
        case "endpoints/status" -> endpoints.ack(exchange, namespace, pod);
        default -> health(exchange, namespace, pod);
      }
    } catch (RuntimeException e) {
      if (closing) {
        exchange.close();
        return;
      }
      LOG.warn("config service request {} failed", exchange.getRequestURI(), e);
      PlainReplies.send(exchange, 500, "internal error: " + e.getMessage());
    }
  }

  /** Empty when the token is the named pod's; else the refusal was sent. */
  private Optional<String> authorize(HttpExchange exchange, String namespace, String pod)
      throws IOException {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.startsWith("Bearer ") || header.length() <= 7) {
      metrics.tokenRefused("missing");
      PlainReplies.send(
          exchange,
          401,
          "no bearer token (expected: Authorization: Bearer <the pod's projected ServiceAccount"
              + " token, audience sluice>)");
      return Optional.of("missing");
    }
    PodIdentity identity;
    try {
      identity = tokens.review(header.substring(7).trim());
    } catch (TokenReviewer.TokenRefused e) {
      metrics.tokenRefused("unauthenticated");
      PlainReplies.send(exchange, 401, requireNonNull(e.getMessage())); // TokenRefused has one
      return Optional.of("unauthenticated");
    }
    if (!identity.namespace().equals(namespace) || !identity.pod().equals(pod)) {
      metrics.tokenRefused("other-pod");
      LOG.warn(
          "refused {} {}: the token belongs to pod {}/{}",
          exchange.getRequestMethod(),
          exchange.getRequestURI().getPath(),
          identity.namespace(),
          identity.pod());
      PlainReplies.send(
          exchange,
          403,
          "the token belongs to pod "
              + identity.namespace()
              + "/"
              + identity.pod()
              + ", not "
              + namespace
              + "/"
              + pod
              + " (expected: each sidecar asks for its own pod)");
      return Optional.of("other-pod");
    }
    return refuseEarlierPod(exchange, namespace, pod, identity);
  }

  /** Empty unless the token was issued for an earlier pod of that name; else refused. */
  private Optional<String> refuseEarlierPod(
      HttpExchange exchange, String namespace, String pod, PodIdentity identity)
      throws IOException {
    Optional<Pod> current = pods.get(namespace, pod);
    if (current.isPresent()
        && identity.podUid() != null
        && !identity.podUid().equals(current.get().getMetadata().getUid())) {
      metrics.tokenRefused("stale-pod");
      PlainReplies.send(
          exchange,
          403,
          "the token was issued for an earlier pod named "
              + namespace
              + "/"
              + pod
              + " (uid "
              + identity.podUid()
              + ", expected: "
              + current.get().getMetadata().getUid()
              + ")");
      return Optional.of("stale");
    }
    return Optional.empty();
  }

  /** Writes the announced contract on the Pod when it says something else (or nothing). */
  private void recordContract(String namespace, String pod, int announced) {
    Optional<Pod> current = pods.get(namespace, pod);
    if (current.isEmpty()) {
      return;
    }
    Map<String, String> annotations = current.get().getMetadata().getAnnotations();
    String recorded = annotations == null ? null : annotations.get(Labels.CONTRACT);
    if (Integer.toString(announced).equals(recorded)) {
      return;
    }
    try {
      writer.contract(namespace, pod, announced);
      LOG.info("pod {}/{} speaks contract {}", namespace, pod, announced);
    } catch (KubernetesClientException e) {
      LOG.debug("could not record the contract of {}/{}: {}", namespace, pod, e.getMessage());
    }
  }

  private void config(
      HttpExchange exchange, String namespace, String pod, @Nullable String known, int announced)
      throws IOException {
    String assigned = assigned(namespace, pod);
    if (assigned != null && !assigned.equals(known) && sendable(namespace, assigned, announced)) {
      answer(exchange, namespace, assigned, announced);
      return;
    }
    Held h = new Held(exchange, namespace, pod, known, announced);
    String key = namespace + "/" + pod;
    held.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(h);
    h.timeout = timer.schedule(() -> finish(h, null), hold.toMillis(), TimeUnit.MILLISECONDS);
    // The assignment may have changed between the first look and registering.
    String now = assigned(namespace, pod);
    if (now != null && !now.equals(known) && !now.equals(assigned)) {
      finish(h, now);
    }
  }

  /**
   * False when {@code revision} is stored and a sidecar speaking {@code announced} cannot run it as
   * meant (said in the log); true otherwise, a missing or unreadable revision included (its answer
   * says so).
   */
  private boolean sendable(String namespace, String revision, int announced) {
    Optional<SidecarConfig> config;
    try {
      config = revisions.load(namespace, revision);
    } catch (KubernetesClientException e) {
      return true;
    }
    if (config.isPresent()
        && contract.render(config.get(), announced) instanceof ContractRendering.Refused refused) {
      LOG.info(
          "not sending revision {} to a sidecar speaking contract {}: it uses {}",
          revision,
          announced,
          refused.describe());
      return false;
    }
    return true;
  }

  private @Nullable String assigned(String namespace, String pod) {
    return pods.get(namespace, pod)
        .map(p -> p.getMetadata().getAnnotations())
        .map(a -> a.get(Labels.ASSIGNED_REVISION))
        .orElse(null);
  }

  private void podChanged(Pod pod) {
    String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    Set<Held> waiting = held.get(key);
    if (waiting == null || waiting.isEmpty()) {
      return;
    }
    String assigned =
        pod.getMetadata().getAnnotations() == null
            ? null
            : pod.getMetadata().getAnnotations().get(Labels.ASSIGNED_REVISION);
    for (Held h : waiting) {
      if (assigned != null && !assigned.equals(h.known)) {
        threads.execute(() -> finish(h, assigned));
      }
    }
  }

  /** Answers a held long-poll once: the config of {@code revision}, or 204 when null. */
  private void finish(Held h, @Nullable String revision) {
    if (!h.answered.compareAndSet(false, true)) {
      return;
    }
    if (h.timeout != null) {
      h.timeout.cancel(false);
    }
    Set<Held> set = held.get(h.namespace + "/" + h.pod);
    if (set != null) {
      set.remove(h);
    }
    try {
      if (revision == null) {
        h.exchange.sendResponseHeaders(204, -1);
        h.exchange.close();
      } else if (!sendable(h.namespace, revision, h.contract)) {
        h.exchange.sendResponseHeaders(204, -1);
        h.exchange.close();
      } else {
        answer(h.exchange, h.namespace, revision, h.contract);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not answer a long-poll of {}/{}: {}", h.namespace, h.pod, e.getMessage());
      h.exchange.close();
    }
  }

  private void answer(HttpExchange exchange, String namespace, String revision, int announced)
      throws IOException {
    Optional<SidecarConfig> config;
    try {
      config = revisions.load(namespace, revision);
    } catch (KubernetesClientException e) {
      PlainReplies.send(
          exchange, 503, "could not read revision " + revision + ": " + e.getMessage());
      return;
    }
    if (config.isEmpty()) {
      PlainReplies.send(
          exchange,
          503,
          "revision "
              + revision
              + " is assigned but not stored (Secret "
              + RevisionStore.secretName(revision)
              + " missing); retry later");
      return;
    }
    if (!(contract.render(config.get(), announced) instanceof ContractRendering.Sendable view)) {
      exchange.sendResponseHeaders(204, -1); // not for this sidecar (sendable() said why)
      exchange.close();
      return;
    }
    byte[] json = view.json().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, json.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(json);
    }
  }

  private void status(HttpExchange exchange, String namespace, String pod) throws IOException {
    byte[] body = exchange.getRequestBody().readNBytes(MAX_REPORT + 1);
    if (body.length > MAX_REPORT) {
      PlainReplies.send(exchange, 413, "report larger than " + MAX_REPORT + " bytes");
      return;
    }
    SidecarReport report;
    try {
      report = SidecarConfigCodec.readReport(new String(body, StandardCharsets.UTF_8));
    } catch (InvalidConfigException e) {
      PlainReplies.send(exchange, 400, "invalid report: " + e.getMessage());
      return;
    }
    if (report.revision() == null || report.outcome() == null) {
      PlainReplies.send(
          exchange,
          400,
          "invalid report: revision "
              + report.revision()
              + ", outcome "
              + report.outcome()
              + " (expected: both set; outcome Applied or Rejected)");
      return;
    }
    PodRollout before;
    try {
      before = writer.report(namespace, pod, report, clock.instant());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        PlainReplies.send(exchange, 404, "pod " + namespace + "/" + pod + " does not exist");
        return;
      }
      throw e;
    }
    PodStep step =
        PodStep.reported(
            pod,
            before,
            report.outcome() == SidecarReport.Outcome.Applied,
            report.revision(),
            PodWriter.reasonOf(report));
    if (step != null) {
      RolloutLog.write(namespace, routes(namespace, report.revision()), step);
    }
    metrics.report(report.outcome().name().toLowerCase(java.util.Locale.ROOT));
    // Every report, repeats included; the rollout log says each step once (RolloutLog).
    LOG.debug(
        "pod {}/{} reported {} revision {}{}",
        namespace,
        pod,
        report.outcome(),
        report.revision(),
        report.reason() == null ? "" : ": " + report.reason());
    exchange.sendResponseHeaders(204, -1);
    exchange.close();
  }

  /** The routes {@code revision} renders, as its origin names them; none when unknown. */
  private List<String> routes(String namespace, String revision) {
    try {
      return revisions
          .load(namespace, revision)
          .map(SidecarConfig::origin)
          .map(ConfigOrigin::proxyRoutes)
          .orElse(List.of());
    } catch (KubernetesClientException | IllegalStateException e) {
      return List.of(); // the log line goes without; the report was recorded
    }
  }

  /** {@code {"<agent>": {"endpoints": n, "available": m}}}, recorded on the pod. */
  private void health(HttpExchange exchange, String namespace, String pod) throws IOException {
    byte[] body = exchange.getRequestBody().readNBytes(MAX_REPORT + 1);
    if (body.length > MAX_REPORT) {
      PlainReplies.send(exchange, 413, "health report larger than " + MAX_REPORT + " bytes");
      return;
    }
    Map<String, AgentHealthRecord.Endpoints> health;
    try {
      var node = HEALTH_JSON.readTree(body);
      health = AgentHealthRecord.parse(node);
      if (node == null || !node.isObject() || health.size() != node.size()) {
        PlainReplies.send(
            exchange,
            400,
            "invalid health report (expected: {\"<agent>\": {\"endpoints\": n, \"available\":"
                + " m}})");
        return;
      }
    } catch (IOException e) {
      PlainReplies.send(exchange, 400, "invalid health report: " + e.getMessage());
      return;
    }
    Optional<Pod> current = pods.get(namespace, pod);
    if (current.isEmpty() || !health.equals(AgentHealthRecord.of(current.get()))) {
      try {
        writer.agentHealth(namespace, pod, health);
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          PlainReplies.send(exchange, 404, "pod " + namespace + "/" + pod + " does not exist");
          return;
        }
        throw e;
      }
    }
    exchange.sendResponseHeaders(204, -1);
    exchange.close();
  }

  private static @Nullable String query(HttpExchange exchange, String name) {
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null) {
      return null;
    }
    for (String pair : raw.split("&", -1)) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (Objects.equals(key, name)) {
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        return value.isEmpty() ? null : value;
      }
    }
    return null;
  }

  @Override
  public void close() {
    closing = true;
    server.stop(0);
    for (Set<Held> set : held.values()) {
      for (Held h : set) {
        finish(h, null);
      }
    }
    threads.shutdownNow();
    timer.shutdownNow();
  }
}
