package dev.sluice.sidecar;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.accesslog.AccessLogOutput;
import dev.sluice.sidecar.accesslog.AccessLogWriter;
import dev.sluice.sidecar.admin.ReloadControl;
import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.downstream.DownstreamServer;
import dev.sluice.sidecar.downstream.DownstreamShutdown;
import dev.sluice.sidecar.endpoints.EndpointTable;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.offload.AgentHealth;
import dev.sluice.sidecar.ratelimit.RateLimits;
import dev.sluice.sidecar.reload.ConfigRejection;
import dev.sluice.sidecar.reload.Drain;
import dev.sluice.sidecar.reload.GenerationSwap;
import dev.sluice.sidecar.reload.IgnoredFields;
import dev.sluice.sidecar.reload.Listeners;
import dev.sluice.sidecar.reload.ReloadQueue;
import dev.sluice.sidecar.reload.Reports;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.trace.OtlpSpans;
import dev.sluice.sidecar.trace.Spans;
import dev.sluice.sidecar.transport.Io;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running sidecar: listeners, admin listener and the current generation, and reloads that swap
 * generations without closing a listening socket or a client connection.
 */
public final class Sidecar implements AutoCloseable, ReloadControl {
  private static final Logger log = LoggerFactory.getLogger(Sidecar.class);

  private final Io io;
  private final ProxyMetrics metrics = new ProxyMetrics();
  private final AccessLogOutput accessLog;
  private final Spans spans;
  private final EndpointTable endpoints = new EndpointTable();
  private final RateLimits rateLimits = new RateLimits();
  private final IgnoredFields ignored = new IgnoredFields();
  private final AtomicReference<Generation> current = new AtomicReference<>();
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ReloadQueue reloads = new ReloadQueue(this::reloadNow);
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile @Nullable Callable<SidecarConfig> configSource;
  private volatile @Nullable SidecarReport lastReport;
  private volatile @Nullable SidecarReport lastRejection;
  private final Map<String, CompletableFuture<SidecarReport>> draining = new ConcurrentHashMap<>();
  private final Listeners listeners;
  private final GenerationSwap swap;

  public Sidecar(int workerThreads) {
    this(workerThreads, Io.defaults());
  }

  public Sidecar(int workerThreads, Io io) {
    this(workerThreads, io, AccessLogOutput.OFF);
  }

  /**
   * With {@code accessLog} as where and how lines are written (the writer closes with the sidecar);
   * which exchanges and what of them is each rule's.
   */
  public Sidecar(int workerThreads, Io io, AccessLogOutput accessLog) {
    this(workerThreads, io, accessLog, Spans.OFF);
  }

  /**
   * And with {@code spans} for sampled exchanges' spans (an exporter closes with the sidecar);
   * which requests start or keep a trace is each rule's.
   */
  public Sidecar(int workerThreads, Io io, AccessLogOutput accessLog, Spans spans) {
    this.io = io;
    this.accessLog = accessLog;
    this.spans = spans;
    if (spans instanceof OtlpSpans exporter) {
      metrics.spans(exporter);
    }
    AccessLogWriter writer = accessLog.writer();
    if (writer != null) {
      metrics.accessLog(writer);
    }
    metrics.bufferMemory(io.allocator());
    metrics.endpoints(
        endpoints,
        cluster -> {
          Generation running = current.get();
          return running == null ? 0 : running.ejectedEndpoints(cluster);
        });
    metrics.ignoredConfigFields(() -> ignoredFields().size());
    this.boss = io.transport().newGroup(1, "sluice-accept");
    this.workers = io.transport().newGroup(workerThreads, "sluice-io");
    this.listeners = new Listeners(boss, workers, io, metrics, current::get, stopping::get, this);
    this.swap =
        new GenerationSwap(
            current, listeners, io, workers, metrics, endpoints, accessLog, spans, rateLimits);
  }

  /** Builds the first generation and binds every listener; throws naming what failed. */
  public Sidecar start(SidecarConfig config) {
    try {
      current.set(
          Generation.build(config, io, workers, metrics, endpoints, accessLog, spans, rateLimits));
      listeners.bindAll(config);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    lastReport = Reports.applied(config.revision(), 0);
    log.info(
        "sluice-sidecar serving revision {} on {} (admin {}, transport {})",
        config.revision(),
        listenerAddresses(),
        listeners.adminAddress(),
        io.transport());
    return this;
  }

  /** Where an empty {@code POST /reload}, SIGHUP or a file change reads the config from. */
  public void configSource(Callable<SidecarConfig> source) {
    this.configSource = source;
  }

  // Reloads

  @Override
  public CompletableFuture<SidecarReport> reload(Callable<SidecarConfig> source) {
    return reloads.submit(source);
  }

  @Override
  public CompletableFuture<SidecarReport> reloadFromSource() {
    Callable<SidecarConfig> source = configSource;
    if (source == null) {
      return CompletableFuture.completedFuture(
          Reports.rejected(
              null, "no config source: POST the config (YAML or JSON) as the request body"));
    }
    return reloads.submit(source);
  }

  @Override
  public @Nullable SidecarReport lastReport() {
    return lastReport;
  }

  @Override
  public CompletableFuture<SidecarReport> drained(@Nullable String revision) {
    CompletableFuture<SidecarReport> pending = draining.get(revision);
    return pending != null ? pending : CompletableFuture.completedFuture(lastReport);
  }

  @Override
  public @Nullable SidecarReport lastRejection() {
    return lastRejection;
  }

  /**
   * Reads the next config, then swaps it in ({@link GenerationSwap}) and lets the old generation
   * drain ({@link Drain}); a config that is unreadable, invalid or cannot be built is rejected and
   * changes nothing. Reload thread.
   */
  private SidecarReport reloadNow(Callable<SidecarConfig> source) {
    long started = System.nanoTime();
    try {
      SidecarConfig next = read(source);
      Generation old = current.get();
      if (old == null) {
        throw ConfigRejection.because(next.revision(), "the sidecar is shutting down");
      }
      if (Objects.equals(old.revision(), next.revision())) {
        metrics.reload("unchanged");
        return Reports.applied(next.revision(), 0);
      }
      String replaced = old.revision();
      if (old.replaceStaticEndpoints(next)) {
        SidecarReport report = Reports.applied(next.revision(), 0);
        lastReport = report;
        metrics.reload("in_place");
        log.info(
            "revision {} applied in place: only static endpoints changed from {} (no reload, no new"
                + " generation)",
            next.revision(),
            replaced);
        return report;
      }
      GenerationSwap.Swapped swapped = swap.swap(old, next);
      long swapMillis = (System.nanoTime() - started) / 1_000_000;
      SidecarReport report = Reports.applied(next.revision(), swapMillis);
      lastReport = report;
      metrics.reload("applied");
      metrics.reloadSwap(System.nanoTime() - started);
      log.info(
          "revision {} serving after {} ms; draining {}",
          next.revision(),
          swapMillis,
          old.revision());
      drain(swapped, report, next);
      return report;
    } catch (ConfigRejection rejection) {
      SidecarReport report = rejection.report();
      lastRejection = report;
      metrics.reload("rejected");
      log.warn("config rejected: {}", report.reason());
      return report;
    }
  }

  private static SidecarConfig read(Callable<SidecarConfig> source) throws ConfigRejection {
    try {
      return source.call();
    } catch (InvalidConfigException e) {
      throw ConfigRejection.invalid(e.revision(), e);
    } catch (Exception e) {
      throw ConfigRejection.unreadable(e);
    }
  }

  /** Drains the replaced generation; its report gets the drain figures when that is done. */
  private void drain(GenerationSwap.Swapped swapped, SidecarReport report, SidecarConfig next) {
    Drain drain =
        Drain.of(
            swapped.old(),
            report,
            swapped.removed(),
            withDrain -> {
              // Identity: replaced only if no newer report took its place meanwhile.
              @SuppressWarnings("ReferenceEquality")
              boolean stillLatest = lastReport == report;
              if (stillLatest) {
                lastReport = withDrain;
              }
              metrics.drained(requireNonNull(withDrain.drain())); // Drain adds the figures
              draining.remove(report.revision());
            });
    draining.put(report.revision(), drain.done());
    drain.start(next.drainTimeout(), workers);
  }

  /**
   * Graceful stop (SIGTERM, preStop): stop accepting; idle HTTP/1.1 connections close at once and
   * busy ones after their response, which says {@code Connection: close}; HTTP/2 connections get a
   * GOAWAY announcing no more streams, then after a round trip a second GOAWAY with the last stream
   * actually taken, and close when those streams end. Returns when every connection is closed and
   * every request ended, or at {@code grace}; {@link #close()} then ends whatever is left.
   */
  public void shutdown(Duration grace) {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    log.info("shutting down: draining for up to {}", grace);
    long deadline = System.nanoTime() + grace.toNanos();
    List<DownstreamServer> all = listeners.servers();
    all.forEach(DownstreamServer::stopAccepting);
    for (DownstreamServer server : all) {
      server.connections().forEach(DownstreamShutdown::begin);
    }
    // Nothing new can connect, and every request lives on a connection: once the connections
    // have closed (each after its last response), everything has drained.
    for (DownstreamServer server : all) {
      long left = deadline - System.nanoTime();
      if (left <= 0
          || !server
              .connections()
              .newCloseFuture()
              .awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
        log.warn("drain deadline reached with connections still open; closing them");
        break;
      }
    }
    log.info("drained; closing");
  }

  public boolean stopping() {
    return stopping.get();
  }

  // Accessors

  public Map<String, InetSocketAddress> listenerAddresses() {
    return listeners.addresses();
  }

  public InetSocketAddress adminAddress() {
    return listeners.adminAddress();
  }

  public ProxyMetrics metrics() {
    return metrics;
  }

  /** The clusters' endpoints every generation's pools follow. */
  public EndpointTable endpoints() {
    return endpoints;
  }

  @Override
  public void ignoring(@Nullable String revision, int speaks, List<String> fields) {
    ignored.read(revision, speaks, fields);
  }

  @Override
  public List<String> ignoredFields() {
    Generation running = current.get();
    return running == null ? List.of() : ignored.of(running.revision());
  }

  @Override
  public Map<String, AgentHealth> agentHealth() {
    return requireNonNull(generation(), "not running").agentHealth();
  }

  public @Nullable Generation generation() {
    return current.get();
  }

  @Override
  public void close() {
    reloads.close();
    for (AutoCloseable part : listeners.all()) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", part, e.toString());
      }
    }
    Generation generation = current.getAndSet(null);
    if (generation != null) {
      generation.close();
    }
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    AccessLogWriter writer = accessLog.writer();
    if (writer != null) {
      writer.close();
    }
    if (spans instanceof OtlpSpans exporter) {
      exporter.close();
    }
  }

  /** A config source that reads {@code file} each time. */
  public static Callable<SidecarConfig> fileSource(Path file) {
    return () -> SidecarConfigCodec.read(file);
  }
}
