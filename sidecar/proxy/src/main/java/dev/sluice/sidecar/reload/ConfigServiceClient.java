package dev.sluice.sidecar.reload;

import dev.sluice.sidecar.admin.ReloadControl;
import dev.sluice.sidecar.config.ConfigDecoder;
import dev.sluice.sidecar.config.ConfigProblem;
import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.offload.AgentHealth;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's side of the operator contract: long-polls {@code GET <base>/config?known=<rev>} for
 * its pod's config (200 with a SidecarConfig as JSON when there is a newer one, 204 when the hold
 * ends without one), reloads with what it gets, and reports every outcome with {@code POST
 * <base>/status} (the contract's SidecarReport: ACK = Applied, NACK = Rejected; once the replaced
 * generation drained, the same report again with its drain figures). Requests carry the pod's
 * projected ServiceAccount token as a bearer token, re-read each time because the kubelet rotates
 * it, and the contract version the sidecar speaks ({@code Sluice-Contract}), so the service sends
 * the config as that version sees it. Configs are read by a {@link ConfigDecoder}: fields a newer
 * operator added that this sidecar does not know are ignored where safe, and said once per
 * revision. Failures back off (1 s doubling to 30 s, jitter) and never stop the sidecar.
 */
public final class ConfigServiceClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigServiceClient.class);
  static final Duration HOLD = Duration.ofSeconds(60);

  private final URI base;
  private final ServiceHttp http;
  private final ConfigDecoder decoder;
  private @Nullable Path cache;
  private @Nullable Thread thread;
  private volatile boolean closed;

  /** The last report the service has not taken yet (see {@link #owe}). */
  private final AtomicReference<SidecarReport> owed = new AtomicReference<>();

  /** The revision {@link #first} returned (from the service or the cache). */
  private volatile @Nullable String firstRevision;

  /** The fields {@link #first}'s config had that this sidecar ignored. */
  private volatile List<String> firstIgnored = List.of();

  /** How often the agents' health is looked at (posted only when it changed). */
  static final Duration HEALTH_EVERY = Duration.ofSeconds(2);

  private volatile Map<String, AgentHealth> healthPosted = Map.of();

  /**
   * Posts drain reports off the thread that finished the drain (an event loop), and the health
   * reports.
   */
  private final ScheduledExecutorService reporter =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-reports");
            t.setDaemon(true);
            return t;
          });

  /** {@code tokenFile}, {@code caFile}: null for none; a bad CA file throws naming it. */
  public ConfigServiceClient(URI base, @Nullable Path tokenFile, @Nullable Path caFile) {
    this(base, tokenFile, caFile, ConfigDecoder.current());
  }

  /** A client reading configs with {@code decoder} and announcing the contract it speaks. */
  public ConfigServiceClient(
      URI base, @Nullable Path tokenFile, @Nullable Path caFile, ConfigDecoder decoder) {
    this.base = base;
    this.decoder = decoder;
    this.http = new ServiceHttp(base, tokenFile, caFile, decoder.speaks());
  }

  /**
   * Keeps the last applied config in {@code file} (written atomically), so a restarted sidecar
   * starts with it when the config service cannot be reached.
   */
  public ConfigServiceClient cacheIn(@Nullable Path file) {
    this.cache = file;
    return this;
  }

  /**
   * Starts long-polling (new configs go to {@code reloads}) and reporting the offload agents'
   * health whenever it changes (checked every {@link #HEALTH_EVERY}).
   */
  public ConfigServiceClient start(ReloadControl reloads, Supplier<String> runningRevision) {
    // The config the sidecar started with (fetched by first(), or cached) is applied too: the
    // service learns it before anything else, or a rollout would wait for this pod forever.
    SidecarReport started = reloads.lastReport();
    if (started != null
        && started.outcome() == SidecarReport.Outcome.Applied
        && started.revision() != null
        && started.revision().equals(firstRevision)) {
      owe(started);
      reloads.ignoring(firstRevision, decoder.speaks(), firstIgnored);
    }
    Thread polling = new Thread(() -> run(reloads, runningRevision), "sluice-config-service");
    this.thread = polling;
    polling.setDaemon(true);
    polling.start();
    // Runs until close() shuts the reporter down; nothing waits for it.
    ScheduledFuture<?> unused =
        reporter.scheduleWithFixedDelay(
            () -> reportHealth(reloads), 0, HEALTH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Posts the agents' health when it differs from what the service last took. */
  private void reportHealth(ReloadControl reloads) {
    if (closed) {
      return;
    }
    Map<String, AgentHealth> health = reloads.agentHealth();
    if (health.isEmpty() || health.equals(healthPosted)) {
      return;
    }
    try {
      HttpResponse<String> response = postJson("/health", health);
      if (response.statusCode() / 100 == 2) {
        healthPosted = health;
      } else {
        log.warn("config service refused the health report: {}", response.statusCode());
      }
    } catch (IOException e) {
      log.debug("health report to {} failed: {}", base, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Fetches the first config (blocking, retrying with backoff) for a sidecar started without one.
   * When the service stays unreachable for {@code patience} and a cached config exists, starts with
   * that one (the long-poll then catches up).
   */
  public SidecarConfig first(Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    long delay = 500;
    while (true) {
      try {
        HttpResponse<String> response = fetch("");
        if (response.statusCode() == 200) {
          ConfigDecoder.Decoded decoded = decoder.decode(response.body(), base + "/config");
          remember(response.body());
          firstRevision = decoded.config().revision();
          firstIgnored = decoded.ignored();
          return decoded.config();
        }
        log.warn("config service answered {} for the first config", response.statusCode());
      } catch (IOException | InvalidConfigException e) {
        log.warn("first config from {}: {}", base, e.getMessage());
      }
      if (System.nanoTime() + delay * 1_000_000 > deadline) {
        if (cache != null && Files.exists(cache)) {
          try {
            ConfigDecoder.Decoded decoded = readCache(cache);
            SidecarConfig cached = decoded.config();
            log.warn(
                "config service {} unreachable; starting with the cached revision {} from {}",
                base,
                cached.revision(),
                cache);
            firstRevision = cached.revision();
            firstIgnored = decoded.ignored();
            return cached;
          } catch (InvalidConfigException e) {
            log.warn("cached config {} unusable: {}", cache, e.getMessage());
          }
        }
        throw new IllegalStateException(
            "no config from "
                + base
                + " within "
                + patience.toSeconds()
                + "s"
                + (cache == null ? "" : " and no usable cached config at " + cache));
      }
      Thread.sleep(delay);
      delay = Math.min(delay * 2, 30_000);
    }
  }

  private void run(ReloadControl reloads, Supplier<String> runningRevision) {
    Backoff backoff = new Backoff();
    while (!closed) {
      try {
        http.refreshTrust();
        deliverOwedReport();
        HttpResponse<String> response = fetch(runningRevision.get());
        if (response.statusCode() == 200) {
          String body = response.body();
          SidecarReport report =
              reloads.reload(() -> decode(body, reloads)).get(2, TimeUnit.MINUTES);
          owe(report);
          if (post(report)) {
            owed.compareAndSet(report, null);
          }
          if (report.outcome() == SidecarReport.Outcome.Applied) {
            remember(body);
            followDrain(reloads, report);
          } else {
            // Not again until the service has something else: ask with the rejected revision
            // known, so the hold lasts.
            waitForChange(report.revision());
          }
        } else if (response.statusCode() != 204 && response.statusCode() != 304) {
          throw new IOException("config service answered " + response.statusCode());
        }
        backoff.reset();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (closed) {
          return;
        }
        log.warn(
            "config service {}: {} (retrying in ~{} ms)",
            base,
            e.toString(),
            backoff.delayMillis());
        if (!backoff.pause()) {
          return;
        }
      }
    }
  }

  /** A config the service sent; the fields this sidecar ignored in it are said. */
  private SidecarConfig decode(String body, ReloadControl reloads) throws InvalidConfigException {
    ConfigDecoder.Decoded decoded = decoder.decode(body, base + "/config");
    reloads.ignoring(decoded.config().revision(), decoder.speaks(), decoded.ignored());
    return decoded.config();
  }

  /** The cached config, as the service sent it. */
  private ConfigDecoder.Decoded readCache(Path file) throws InvalidConfigException {
    try {
      return decoder.decode(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new InvalidConfigException(
          file.toString(), List.of(ConfigProblem.of("", file.toString(), "a readable file")));
    }
  }

  /** Long-polls with {@code rejected} as the known revision until the service offers another. */
  private void waitForChange(@Nullable String rejected) throws IOException, InterruptedException {
    if (rejected == null) {
      Thread.sleep(1000);
      return;
    }
    HttpResponse<String> response = fetch(rejected);
    if (response.statusCode() == 200) {
      // something newer than the rejected one: take it on the next round
      return;
    }
  }

  /** Writes the applied config to the cache file, atomically (never a torn file). */
  private void remember(String json) {
    if (cache == null) {
      return;
    }
    try {
      CacheFile.write(cache, json);
    } catch (IOException e) {
      log.warn("cannot cache the applied config in {}: {}", cache, e.toString());
    }
  }

  private HttpResponse<String> fetch(@Nullable String known)
      throws IOException, InterruptedException {
    return http.get(
        "/config?known=" + URLEncoder.encode(known == null ? "" : known, StandardCharsets.UTF_8),
        HOLD.plusSeconds(10));
  }

  /**
   * Remembers a report until the service took it: the operator decides the next step of a rollout
   * on it, so one lost to an operator restart or a network blip would stall the rollout. A newer
   * report replaces an older one still owed (the service only needs the latest outcome).
   */
  private void owe(SidecarReport report) {
    owed.set(report);
  }

  /** Posts the owed report, if any; throws (so the loop backs off) when it is not delivered. */
  private void deliverOwedReport() throws IOException {
    SidecarReport report = owed.get();
    if (report == null) {
      return;
    }
    if (!post(report)) {
      throw new IOException("the report of revision " + report.revision() + " was not delivered");
    }
    owed.compareAndSet(report, null);
  }

  /** POSTs {@code body} as JSON to {@code <base><path>} with the current token. */
  private HttpResponse<String> postJson(String path, Object body)
      throws IOException, InterruptedException {
    return http.postJson(path, body);
  }

  /** True when the service took the report (2xx) or refused it for good (4xx: no retry helps). */
  private boolean post(SidecarReport report) {
    try {
      HttpResponse<String> response = postJson("/status", report);
      if (response.statusCode() / 100 != 2) {
        log.warn(
            "config service refused the report: {} {}", response.statusCode(), response.body());
      }
      return response.statusCode() / 100 == 2 || response.statusCode() / 100 == 4;
    } catch (IOException e) {
      log.warn("report to {} failed: {}", base, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Posts the report again with drain figures once the replaced generation drained. */
  private void followDrain(ReloadControl reloads, SidecarReport applied) {
    // post() handles its own failures: nothing to collect from the stage.
    CompletableFuture<Void> unused =
        reloads
            .drained(applied.revision())
            .thenAcceptAsync(
                drained -> {
                  if (!closed && drained != null && drained.drain() != null && !post(drained)) {
                    // Owed unless a newer report is owed already.
                    owed.compareAndSet(null, drained);
                  }
                },
                reporter);
  }

  /** The config service's HTTP (the endpoints long-poll makes its own, same settings). */
  ServiceHttp http() {
    return http;
  }

  @Override
  public void close() {
    closed = true;
    reporter.shutdownNow();
    if (thread != null) {
      thread.interrupt();
    }
  }
}
