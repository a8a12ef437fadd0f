package dev.sluice.bench.scale;

import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One simulated sidecar as the config service sees it, without a thread of its own: it long-polls
 * its pod's config with {@code known=<revision>}, applies what it gets and reports it, as the
 * contract in docs/design/20261121-config-service-contract.md says the real sidecar does. A
 * thousand of them share one {@link HttpClient} (and its connection pool and selector).
 */
final class LightSidecar {
  private static final Duration RETRY = Duration.ofMillis(200);

  private final HttpClient http;
  private final ScheduledExecutorService timer;
  private final String base;
  private final String token;
  private final Runnable onApplied;
  private volatile boolean running = true;
  private volatile @Nullable String applied;
  private volatile long appliedAtNanos;
  private final AtomicInteger failures = new AtomicInteger();

  LightSidecar(
      HttpClient http,
      ScheduledExecutorService timer,
      String configService,
      String namespace,
      String pod,
      String token,
      Runnable onApplied) {
    this.http = http;
    this.timer = timer;
    this.base = configService + "/v1/pods/" + namespace + "/" + pod;
    this.token = token;
    this.onApplied = onApplied;
  }

  void start() {
    poll();
  }

  void stop() {
    running = false;
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
        http.sendAsync(
                request("/status")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(SidecarConfigCodec.toJson(report)))
                    .build(),
                HttpResponse.BodyHandlers.discarding())
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
