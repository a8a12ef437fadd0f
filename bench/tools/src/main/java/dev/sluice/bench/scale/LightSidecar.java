package dev.sluice.bench.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.EndpointsReport;
import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * One simulated sidecar as the config service sees it, without a thread of its own: it long-polls
 * its pod's config with {@code known=<revision>}, applies what it gets and reports it, as the
 * contract in docs/design/20261121-config-service-contract.md says the real sidecar does; and, on a
 * second connection, long-polls its endpoint document with {@code known=<version>} and ACKs each
 * one before asking again, as the real sidecar's {@code EndpointsClient} does
 * (docs/design/20261206-live-endpoints.md). Every endpoint document is kept with the time it
 * arrived. A thousand of them share one {@link HttpClient} for configs and another for endpoints
 * (as the real sidecar's endpoints poll has a client of its own).
 */
final class LightSidecar {
  private static final Duration RETRY = Duration.ofMillis(200);
  private static final ObjectMapper TREE = new ObjectMapper();

  /** An endpoint document as it arrived ({@link System#nanoTime()}), before it was ACKed. */
  record Arrival(long nanos, ClusterEndpoints endpoints) {}

  private final HttpClient http;
  private final HttpClient endpointsHttp;
  private final ScheduledExecutorService timer;
  private final String base;
  private final String namespace;
  private final String token;
  private final Runnable onApplied;
  private volatile boolean running = true;
  private volatile @Nullable String applied;
  private volatile long appliedAtNanos;
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger configs = new AtomicInteger();
  private final Runnable onEndpoints;
  private final List<Arrival> arrivals = new ArrayList<>(); // guarded by itself
  private volatile @Nullable ClusterEndpoints endpoints;
  private volatile @Nullable String rejected;
  private volatile @Nullable String asked; // the known= of the endpoint poll in flight, if any
  private final AtomicInteger endpointFailures = new AtomicInteger();
  private final Map<String, Integer> endpointFailureReasons = new ConcurrentHashMap<>();

  /** {@code onEndpoints} runs on every endpoint document and every endpoint poll sent. */
  LightSidecar(
      HttpClient http,
      HttpClient endpointsHttp,
      ScheduledExecutorService timer,
      String configService,
      String namespace,
      String pod,
      String token,
      Runnable onApplied,
      Runnable onEndpoints) {
    this.http = http;
    this.endpointsHttp = endpointsHttp;
    this.onEndpoints = onEndpoints;
    this.timer = timer;
    this.base = configService + "/v1/pods/" + namespace + "/" + pod;
    this.namespace = namespace;
    this.token = token;
    this.onApplied = onApplied;
  }

  void start() {
    poll();
    pollEndpoints();
  }

  void stop() {
    running = false;
  }

  String namespace() {
    return namespace;
  }

  /** The revision it applied and the service took the report of (null before the first). */
  @Nullable String applied() {
    return applied;
  }

  /** {@link System#nanoTime()} when the service took the report of {@link #applied()}. */
  long appliedAtNanos() {
    return appliedAtNanos;
  }

  /** Config or report requests that failed (network, 5xx) and were tried again. */
  int failures() {
    return failures.get();
  }

  /** Configs the service answered with (200s of the config long-poll), the first included. */
  int configsReceived() {
    return configs.get();
  }

  /** The endpoint document it applied last (null before the first). */
  @Nullable ClusterEndpoints endpoints() {
    return endpoints;
  }

  /** Endpoint polls or ACKs that failed (network, non-2xx) and were followed by a new poll. */
  int endpointFailures() {
    return endpointFailures.get();
  }

  /** {@link #endpointFailures()} by what failed and how ({@code poll: HttpTimeoutException}). */
  Map<String, Integer> endpointFailureReasons() {
    return endpointFailureReasons;
  }

  /**
   * Whether its endpoint poll is out asking with the document it holds, that is waiting for the
   * next change (not between a document and its ACK, nor backing off).
   */
  boolean awaitingEndpoints() {
    ClusterEndpoints current = endpoints;
    String known = asked;
    return current != null && known != null && known.equals(current.version());
  }

  /** Endpoint documents that arrived at or after {@code sinceNanos}. */
  int endpointsSince(long sinceNanos) {
    synchronized (arrivals) {
      int count = 0;
      for (int i = arrivals.size() - 1; i >= 0 && arrivals.get(i).nanos() >= sinceNanos; i--) {
        count++;
      }
      return count;
    }
  }

  /**
   * When the first document matching {@code change} arrived at or after {@code sinceNanos}, or -1
   * when none did (yet).
   */
  long firstArrival(long sinceNanos, Predicate<ClusterEndpoints> change) {
    synchronized (arrivals) {
      long first = -1;
      // From the newest back: only the few since the change are looked at.
      for (int i = arrivals.size() - 1; i >= 0 && arrivals.get(i).nanos() >= sinceNanos; i--) {
        if (change.test(arrivals.get(i).endpoints())) {
          first = arrivals.get(i).nanos();
        }
      }
      return first;
    }
  }

  private void poll() {
    if (!running) {
      return;
    }
    String known = applied == null ? "" : applied;
    // The callback carries on (or retries): nothing waits for the stage.
    CompletableFuture<?> unused =
        http.sendAsync(
                request("/config?known=" + known).timeout(Duration.ofSeconds(90)).GET().build(),
                HttpResponse.BodyHandlers.ofString())
            .whenComplete(
                (response, error) -> {
                  if (error != null || response.statusCode() >= 500) {
                    retry(this::poll);
                  } else if (response.statusCode() == 200) {
                    configs.incrementAndGet();
                    apply(response.body());
                  } else if (response.statusCode() == 204) {
                    poll();
                  } else {
                    retry(this::poll);
                  }
                });
  }

  private void apply(String body) {
    SidecarConfig config;
    try {
      config = SidecarConfigCodec.readJson(body, base);
    } catch (InvalidConfigException | RuntimeException e) {
      retry(this::poll);
      return;
    }
    report(config.revision());
  }

  private void report(@Nullable String revision) {
    if (!running) {
      return;
    }
    SidecarReport report =
        new SidecarReport(revision, SidecarReport.Outcome.Applied, null, List.of(), 1L, null, null);
    // The callback carries on (or retries): nothing waits for the stage.
    CompletableFuture<?> unused =
        http.sendAsync(post("/status", report), HttpResponse.BodyHandlers.discarding())
            .whenComplete(
                (response, error) -> {
                  if (error != null || response.statusCode() != 204) {
                    // As the real sidecar: a report the service did not take is sent again first.
                    retry(() -> report(revision));
                    return;
                  }
                  appliedAtNanos = System.nanoTime();
                  applied = revision;
                  onApplied.run();
                  poll();
                });
  }

  /**
   * The endpoints long-poll, as the real sidecar's: asks with the version it holds (or the one it
   * rejected, while that is the service's latest), applies a 200 and ACKs it before asking again;
   * an ACK that fails is not sent again (the next document's is).
   */
  private void pollEndpoints() {
    if (!running) {
      return;
    }
    ClusterEndpoints current = endpoints;
    String known = rejected != null ? rejected : current == null ? "" : current.version();
    asked = known;
    // The callback carries on (or retries): nothing waits for the stage.
    CompletableFuture<?> unused =
        endpointsHttp
            .sendAsync(
                request("/endpoints?known=" + URLEncoder.encode(known, StandardCharsets.UTF_8))
                    .timeout(Duration.ofSeconds(90))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .whenComplete(
                (response, error) -> {
                  asked = null;
                  if (error != null) {
                    endpointFailed("poll", error, 0);
                    retryEndpoints();
                  } else if (response.statusCode() == 200) {
                    applyEndpoints(System.nanoTime(), response.body());
                  } else if (response.statusCode() == 204 || response.statusCode() == 304) {
                    pollEndpoints();
                  } else {
                    endpointFailed("poll", null, response.statusCode());
                    retryEndpoints();
                  }
                });
    onEndpoints.run(); // asking again is progress too (the bench waits for it between changes)
  }

  private void applyEndpoints(long arrived, String body) {
    EndpointsReport report;
    try {
      ClusterEndpoints next = SidecarConfigCodec.readEndpoints(body, base + "/endpoints");
      synchronized (arrivals) {
        arrivals.add(new Arrival(arrived, next));
      }
      endpoints = next;
      rejected = null;
      report = EndpointsReport.applied(String.valueOf(next.version()));
    } catch (InvalidConfigException | RuntimeException e) {
      String version = versionOf(body);
      rejected = version;
      report = EndpointsReport.rejected(version, String.valueOf(e.getMessage()));
    }
    onEndpoints.run();
    // The callback carries on: nothing waits for the stage.
    CompletableFuture<?> unused =
        endpointsHttp
            .sendAsync(
                post("/endpoints/status", report, Duration.ofSeconds(30)),
                HttpResponse.BodyHandlers.discarding())
            .whenComplete(
                (response, error) -> {
                  if (error != null || response.statusCode() / 100 != 2) {
                    // Not owed, as in the real sidecar: the next document's ACK follows.
                    endpointFailures.incrementAndGet();
                    endpointFailed("ack", error, error == null ? response.statusCode() : 0);
                  }
                  pollEndpoints();
                });
  }

  /** The {@code version} of a document that could not be read, else a stand-in. */
  private static String versionOf(String body) {
    try {
      JsonNode version = TREE.readTree(body).get("version");
      if (version != null && version.isTextual()) {
        return version.asText();
      }
    } catch (IOException e) {
      // not JSON at all
    }
    return "unreadable-" + Integer.toHexString(body.hashCode());
  }

  private void endpointFailed(String what, @Nullable Throwable error, int status) {
    Throwable cause = error;
    while (cause != null && cause.getCause() != null && cause instanceof CompletionException) {
      cause = cause.getCause();
    }
    String reason = cause == null ? "status " + status : cause.getClass().getSimpleName();
    endpointFailureReasons.merge(what + ": " + reason, 1, Integer::sum);
  }

  private void retryEndpoints() {
    endpointFailures.incrementAndGet();
    if (running) {
      ScheduledFuture<?> unused =
          timer.schedule(this::pollEndpoints, RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private HttpRequest post(String path, Object report) {
    return request(path)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(SidecarConfigCodec.toJson(report)))
        .build();
  }

  private HttpRequest post(String path, Object report, Duration timeout) {
    return HttpRequest.newBuilder(post(path, report), (name, value) -> true)
        .timeout(timeout)
        .build();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + token);
  }

  private void retry(Runnable action) {
    failures.incrementAndGet();
    if (running) {
      ScheduledFuture<?> unused = timer.schedule(action, RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
