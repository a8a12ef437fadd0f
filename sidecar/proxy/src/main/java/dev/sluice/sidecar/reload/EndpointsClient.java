package dev.sluice.sidecar.reload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.EndpointsReport;
import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.endpoints.EndpointTable;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoints long-poll beside the config one: {@code GET <base>/endpoints?known=<version>} on
 * its own connection (held up to 60 s; 200 with a {@link ClusterEndpoints} JSON, 204 when nothing
 * changed), applied to the {@link EndpointTable} at once — no reload — then {@code POST
 * <base>/endpoints/status} with an {@link EndpointsReport}: Applied, or Rejected with the reason
 * (the endpoints in force stay), sent in order on a thread of its own so the next poll goes out at
 * once. Same token, trust and backoff as the config long-poll; the last applied document is cached
 * beside the config cache ({@code FILE.endpoints.json}).
 */
public final class EndpointsClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EndpointsClient.class);
  private static final ObjectMapper TREE = new ObjectMapper();

  private final ServiceHttp http;
  private final EndpointTable table;
  private final ProxyMetrics metrics;
  private final @Nullable Path cache;

  /**
   * Sends the ACKs, in order, off the polling thread: the next poll never waits for the previous
   * document's ACK (a round trip that, on a busy node, is as long as the poll's own).
   */
  private final ExecutorService acks =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-endpoints-ack");
            t.setDaemon(true);
            return t;
          });

  private @Nullable Thread thread;
  private volatile boolean closed;

  /** The version asked with while a rejected document is the service's latest. */
  private volatile @Nullable String rejected;

  /** {@code configCache}: the config cache file, or null; the endpoints go beside it. */
  public EndpointsClient(
      ConfigServiceClient service,
      EndpointTable table,
      ProxyMetrics metrics,
      @Nullable Path configCache) {
    this.http = service.http().another();
    this.table = table;
    this.metrics = metrics;
    this.cache =
        configCache == null
            ? null
            : configCache.resolveSibling(configCache.getFileName() + ".endpoints.json");
  }

  /**
   * The first endpoints, before listeners bind: fetched (retrying) for at most {@code patience};
   * then the cached ones when there are any. False when the sidecar starts without (its clusters
   * answer 503 until endpoints arrive).
   */
  public boolean first(Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    long delay = 200;
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response = fetch(null, patience);
        if (response.statusCode() == 200 && apply(response.body())) {
          return true;
        }
      } catch (IOException e) {
        log.debug("first endpoints from {}: {}", http.base(), e.toString());
      }
      Thread.sleep(Math.min(delay, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      delay = Math.min(delay * 2, 2_000);
    }
    if (cache != null && Files.exists(cache)) {
      try {
        ClusterEndpoints cached =
            SidecarConfigCodec.readEndpoints(Files.readString(cache), cache.toString());
        table.apply(cached);
        log.warn(
            "no endpoints from {} within {}; starting with the cached version {} from {}",
            http.base(),
            patience,
            cached.version(),
            cache);
        return true;
      } catch (IOException | InvalidConfigException e) {
        log.warn("cached endpoints {} unusable: {}", cache, e.getMessage());
      }
    }
    log.warn(
        "no endpoints from {} within {}; serving without (503 for their clusters until they"
            + " arrive)",
        http.base(),
        patience);
    return false;
  }

  /** Starts long-polling. */
  public EndpointsClient start() {
    Thread polling = new Thread(this::run, "sluice-endpoints");
    polling.setDaemon(true);
    this.thread = polling;
    polling.start();
    return this;
  }

  private void run() {
    Backoff backoff = new Backoff();
    while (!closed) {
      try {
        http.refreshTrust();
        String known = rejected != null ? rejected : table.version();
        HttpResponse<String> response = fetch(known, ConfigServiceClient.HOLD.plusSeconds(10));
        if (response.statusCode() == 200) {
          apply(response.body());
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
            "endpoints from {}: {} (retrying in ~{} ms)",
            http.base(),
            e.toString(),
            backoff.delayMillis());
        if (!backoff.pause()) {
          return;
        }
      }
    }
  }

  /**
   * Applies a document (or rejects it, keeping the endpoints in force) and reports which, the
   * report sent in the background.
   */
  private boolean apply(String body) {
    EndpointsReport report;
    try {
      ClusterEndpoints next = SidecarConfigCodec.readEndpoints(body, http.base() + "/endpoints");
      String version = String.valueOf(next.version());
      String before = table.version();
      table.apply(next);
      rejected = null;
      metrics.endpointUpdate("applied");
      log.info(
          "endpoints {} applied (was {}): {} clusters", version, before, next.clusters().size());
      remember(body);
      report = EndpointsReport.applied(version);
    } catch (InvalidConfigException e) {
      String version = versionOf(body);
      rejected = version;
      metrics.endpointUpdate("rejected");
      log.warn("endpoints {} rejected, keeping {}: {}", version, table.version(), e.getMessage());
      report = EndpointsReport.rejected(version, String.valueOf(e.getMessage()));
    }
    EndpointsReport sent = report;
    try {
      acks.execute(() -> post(sent));
    } catch (RejectedExecutionException e) {
      // closed: no more reports
    }
    return report.outcome() == dev.sluice.sidecar.config.SidecarReport.Outcome.Applied;
  }

  private void post(EndpointsReport report) {
    try {
      HttpResponse<String> response = http.postJson("/endpoints/status", report);
      if (response.statusCode() / 100 != 2) {
        log.warn("config service refused the endpoints report: {}", response.statusCode());
      }
    } catch (IOException e) {
      // Lost reports are not owed: the next document is reported, and the service measures lag.
      log.warn("endpoints report to {} failed: {}", http.base(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing
    }
  }

  /** The {@code version} field of a document that could not be read, else a hash of its text. */
  static String versionOf(String body) {
    try {
      JsonNode version = TREE.readTree(body).get("version");
      if (version != null && version.isTextual()) {
        return version.asText();
      }
    } catch (IOException e) {
      // not JSON at all: the hash below
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> fetch(@Nullable String known, Duration timeout)
      throws IOException, InterruptedException {
    return http.get(
        "/endpoints?known=" + URLEncoder.encode(known == null ? "" : known, StandardCharsets.UTF_8),
        timeout);
  }

  /** Writes the applied document to the cache file, atomically (never a torn file). */
  private void remember(String json) {
    if (cache == null) {
      return;
    }
    try {
      CacheFile.write(cache, json);
    } catch (IOException e) {
      log.warn("cannot cache the applied endpoints in {}: {}", cache, e.toString());
    }
  }

  @Override
  public void close() {
    closed = true;
    acks.shutdownNow();
    if (thread != null) {
      thread.interrupt();
    }
  }
}
