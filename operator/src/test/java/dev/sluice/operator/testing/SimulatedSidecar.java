package dev.sluice.operator.testing;

import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A sidecar as the config service sees it, in-process: a real HTTPS client that long-polls its
 * pod's config with {@code known=<revision>}, "applies" what it gets (or rejects it when {@code
 * rejects} says so) and reports back, exactly as the contract in
 * docs/design/20261121-config-service-contract.md says the real sidecar does.
 */
public final class SimulatedSidecar implements AutoCloseable {
  /** What it says when it rejects a config. */
  public static final String REJECTION = "listener 0.0.0.0:8080: address already in use";

  private final String base;
  private final String token;
  private final HttpClient http;
  private final Predicate<SidecarConfig> rejects;
  private final Predicate<SidecarConfig> stalls;
  private final @Nullable Integer contract;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile String applied;
  private volatile @Nullable SidecarConfig appliedConfig;
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final List<Integer> statuses = new CopyOnWriteArrayList<>();

  public SimulatedSidecar(
      String configService,
      String namespace,
      String pod,
      String token,
      SSLContext trust,
      Predicate<SidecarConfig> rejects) {
    this(configService, namespace, pod, token, trust, rejects, c -> false);
  }

  /**
   * {@code stalls}: configs it takes but never applies nor reports (a reload that hangs), so a
   * rollout waits on it until its progress deadline.
   */
  public SimulatedSidecar(
      String configService,
      String namespace,
      String pod,
      String token,
      SSLContext trust,
      Predicate<SidecarConfig> rejects,
      Predicate<SidecarConfig> stalls) {
    this(configService, namespace, pod, token, trust, rejects, stalls, null);
  }

  /**
   * {@code contract}: the contract version it announces in {@code Sluice-Contract} on every request
   * (null: none, as sidecars built before contract 2, so it is taken for contract 1).
   */
  public SimulatedSidecar(
      String configService,
      String namespace,
      String pod,
      String token,
      SSLContext trust,
      Predicate<SidecarConfig> rejects,
      Predicate<SidecarConfig> stalls,
      @Nullable Integer contract) {
    this.stalls = stalls;
    this.contract = contract;
    this.base = configService + "/v1/pods/" + namespace + "/" + pod;
    this.token = token;
    this.rejects = rejects;
    this.http =
        HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(2)).build();
    this.thread = new Thread(this::run, "sidecar-" + pod);
    thread.setDaemon(true);
    thread.start();
  }

  /** The revision it runs (null before its first config). */
  public String applied() {
    return applied;
  }

  /** The config it runs, as the config service sent it (null before its first config). */
  public @Nullable SidecarConfig appliedConfig() {
    return appliedConfig;
  }

  /** Every revision it was handed, in order. */
  public List<String> seen() {
    return seen;
  }

  /** HTTP statuses of its config requests. */
  public List<Integer> statuses() {
    return statuses;
  }

  private void run() {
    String known = null;
    int rounds = 0;
    SidecarReport owed = null;
    while (running && rounds++ < 100_000) {
      try {
        if (owed != null) {
          // As the real sidecar: a report the service did not take is sent again first.
          if (!report(owed)) {
            Thread.sleep(100);
            continue;
          }
          owed = null;
        }
        HttpResponse<String> response =
            http.send(
                announce(
                        HttpRequest.newBuilder(
                            URI.create(base + "/config?known=" + (known == null ? "" : known))))
                    .header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(30))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        statuses.add(response.statusCode());
        if (response.statusCode() == 200) {
          SidecarConfig config = SidecarConfigCodec.readJson(response.body(), base);
          seen.add(config.revision());
          known = config.revision();
          if (stalls.test(config)) {
            continue; // deliberate stall: never applied, never reported
          }
          boolean reject = rejects.test(config);
          if (!reject) {
            appliedConfig = config;
            applied = config.revision();
          }
          // As the real sidecar (Reports.rejected): the reason is also the first problem.
          owed =
              new SidecarReport(
                  config.revision(),
                  reject ? SidecarReport.Outcome.Rejected : SidecarReport.Outcome.Applied,
                  reject ? REJECTION : null,
                  reject ? List.of(REJECTION) : List.of(),
                  1L,
                  null,
                  null);
        } else if (response.statusCode() != 204) {
          Thread.sleep(50);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        if (!running) {
          return;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private boolean report(SidecarReport report) {
    try {
      return http.send(
                  announce(HttpRequest.newBuilder(URI.create(base + "/status")))
                      .header("Authorization", "Bearer " + token)
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(SidecarConfigCodec.toJson(report)))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 204;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private HttpRequest.Builder announce(HttpRequest.Builder request) {
    return contract == null ? request : request.header("Sluice-Contract", contract.toString());
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5_000);
  }
}
