package dev.sluice.sidecar;

import dev.sluice.sidecar.admin.AdminServer;
import dev.sluice.sidecar.admin.ReloadControl;
import dev.sluice.sidecar.config.DownstreamListener;
import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.downstream.DownstreamServer;
import dev.sluice.sidecar.downstream.DownstreamShutdown;
import dev.sluice.sidecar.downstream.ListenerContext;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.reload.ReloadQueue;
import dev.sluice.sidecar.reload.Reports;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.runtime.Io;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
  private final AtomicReference<Generation> current = new AtomicReference<>();
  private final Map<String, DownstreamServer> servers = new LinkedHashMap<>();
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ReloadQueue reloads = new ReloadQueue(this::reloadNow);
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile Callable<SidecarConfig> configSource;
  private volatile SidecarReport lastReport;
  private volatile SidecarReport lastRejection;
  private final Map<String, CompletableFuture<SidecarReport>> draining =
      new java.util.concurrent.ConcurrentHashMap<>();
  private AdminServer admin;
  private String adminAddress;

  public Sidecar(int workerThreads) {
    this(workerThreads, Io.defaults());
  }

  public Sidecar(int workerThreads, Io io) {
    this.io = io;
    metrics.bufferMemory(io.allocator());
    this.boss = io.transport().newGroup(1, "sluice-accept");
    this.workers = io.transport().newGroup(workerThreads, "sluice-io");
  }

  /** Builds the first generation and binds every listener; throws naming what failed. */
  public Sidecar start(SidecarConfig config) {
    try {
      current.set(Generation.build(config, io, workers, metrics));
      List<DownstreamListener> listeners = config.listeners();
      for (int i = 0; i < listeners.size(); i++) {
        DownstreamListener listener = listeners.get(i);
        servers.put(listener.name(), bindListener(listener, "listeners[" + i + "]"));
      }
      adminAddress = config.admin().address();
      admin = new AdminServer(current::get, metrics, this).bind(adminAddress, boss, io.transport());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    lastReport = Reports.applied(config.revision(), 0);
    log.info(
        "sluice-sidecar serving revision {} on {} (admin {}, transport {})",
        config.revision(),
        listenerAddresses(),
        admin.localAddress(),
        io.transport());
    return this;
  }

  private DownstreamServer bindListener(DownstreamListener listener, String path) {
    return new DownstreamServer(
            new ListenerContext(listener, current::get, metrics, stopping::get), path)
        .bind(boss, workers, io, path);
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
  public SidecarReport lastReport() {
    return lastReport;
  }

  @Override
  public CompletableFuture<SidecarReport> drained(String revision) {
    CompletableFuture<SidecarReport> pending = draining.get(revision);
    return pending != null ? pending : CompletableFuture.completedFuture(lastReport);
  }

  @Override
  public SidecarReport lastRejection() {
    return lastRejection;
  }

  /**
   * Reads, validates and builds the next generation, then swaps it in: listeners whose address is
   * unchanged keep their socket (new settings apply to new connections), new ones bind before the
   * swap, removed ones stop accepting. The old generation drains in the background. Anything that
   * fails before the swap rejects the config and leaves everything as it was. Reload thread.
   */
  private SidecarReport reloadNow(Callable<SidecarConfig> source) {
    long started = System.nanoTime();
    SidecarConfig next;
    try {
      next = source.call();
    } catch (InvalidConfigException e) {
      return rejected(Reports.rejected(null, e));
    } catch (Exception e) {
      return rejected(Reports.rejected(null, String.valueOf(e.getMessage())));
    }
    Generation old = current.get();
    if (old == null) {
      return rejected(Reports.rejected(next.revision(), "the sidecar is shutting down"));
    }
    if (old.revision().equals(next.revision())) {
      metrics.reload("unchanged");
      return Reports.applied(next.revision(), 0);
    }
    Generation built;
    try {
      built = Generation.build(next, io, workers, metrics);
    } catch (RuntimeException e) {
      return rejected(Reports.rejected(next.revision(), e.getMessage()));
    }
    ListenerChanges changes;
    try {
      changes = prepareListeners(next);
    } catch (RuntimeException e) {
      built.close();
      return rejected(Reports.rejected(next.revision(), e.getMessage()));
    }
    // The swap: from here on nothing can fail.
    changes.commit();
    current.set(built);
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
    drain(old, next, report, changes.removed);
    return report;
  }

  private SidecarReport rejected(SidecarReport report) {
    lastRejection = report;
    metrics.reload("rejected");
    log.warn("config rejected: {}", report.reason());
    return report;
  }

  /** What a reload does to the listeners, prepared (bound where new) before the swap. */
  private final class ListenerChanges {
    final Map<String, DownstreamServer> bound = new LinkedHashMap<>();
    final Map<DownstreamServer, DownstreamServer> updated = new LinkedHashMap<>();
    final List<DownstreamServer> removed = new ArrayList<>();
    AdminServer newAdmin;
    String newAdminAddress;

    void commit() {
      updated.forEach(DownstreamServer::update);
      for (DownstreamServer gone : removed) {
        gone.stopAccepting();
        servers.values().remove(gone);
      }
      servers.putAll(bound);
      if (newAdmin != null) {
        AdminServer previous = admin;
        admin = newAdmin;
        adminAddress = newAdminAddress;
        previous.close();
      }
    }

    void abandon() {
      bound.values().forEach(DownstreamServer::close);
      if (newAdmin != null) {
        newAdmin.close();
      }
    }
  }

  private ListenerChanges prepareListeners(SidecarConfig next) {
    ListenerChanges changes = new ListenerChanges();
    try {
      List<DownstreamListener> listeners = next.listeners();
      List<String> names = new ArrayList<>();
      for (int i = 0; i < listeners.size(); i++) {
        DownstreamListener listener = listeners.get(i);
        String path = "listeners[" + i + "]";
        names.add(listener.name());
        DownstreamServer existing = servers.get(listener.name());
        if (existing != null && existing.listener().config().equals(listener)) {
          continue;
        }
        if (existing != null && existing.listensOn(listener.address())) {
          changes.updated.put(
              existing,
              new DownstreamServer(
                  new ListenerContext(listener, current::get, metrics, stopping::get), path));
        } else {
          changes.bound.put(listener.name(), bindListener(listener, path));
          if (existing != null) {
            changes.removed.add(existing);
          }
        }
      }
      servers.forEach(
          (name, server) -> {
            if (!names.contains(name)) {
              changes.removed.add(server);
            }
          });
      if (!next.admin().address().equals(adminAddress)) {
        changes.newAdmin =
            new AdminServer(current::get, metrics, this)
                .bind(next.admin().address(), boss, io.transport());
        changes.newAdminAddress = next.admin().address();
      }
      return changes;
    } catch (RuntimeException e) {
      changes.abandon();
      throw e;
    }
  }

  /**
   * Lets the old generation finish its requests: it closes when the last one ends, and never later
   * than the new config's drain timeout (requests still running then are cut off). Then the report
   * gets its drain figures.
   */
  private void drain(
      Generation old, SidecarConfig next, SidecarReport report, List<DownstreamServer> removed) {
    long started = System.nanoTime();
    int offloadAtSwap = old.offloadInFlight();
    long timeoutsBefore = old.offloadTimeouts();
    AtomicBoolean finished = new AtomicBoolean();
    CompletableFuture<SidecarReport> done = new CompletableFuture<>();
    draining.put(report.revision(), done);
    AtomicReference<io.netty.util.concurrent.ScheduledFuture<?>> deadline = new AtomicReference<>();
    int[] atSwap = new int[1];
    Runnable finish =
        () -> {
          if (!finished.compareAndSet(false, true)) {
            return;
          }
          var timer = deadline.get();
          if (timer != null) {
            timer.cancel(false);
          }
          int cutOff = old.inFlight().active();
          old.close();
          // finish may run on an event loop (the last request ended there): never block it.
          removed.forEach(DownstreamServer::closeWithoutWaiting);
          SidecarReport.Drain drain =
              new SidecarReport.Drain(
                  atSwap[0],
                  offloadAtSwap,
                  old.inFlight().completedWhileDraining(),
                  cutOff + (int) (old.offloadTimeouts() - timeoutsBefore),
                  (System.nanoTime() - started) / 1_000_000);
          SidecarReport withDrain = Reports.withDrain(report, drain);
          if (lastReport == report) {
            lastReport = withDrain;
          }
          metrics.drained(drain);
          draining.remove(report.revision(), done);
          done.complete(withDrain);
          log.info("revision {} drained: {}", old.revision(), drain);
        };
    deadline.set(
        workers.next().schedule(finish, next.drainTimeout().toNanos(), TimeUnit.NANOSECONDS));
    atSwap[0] = old.inFlight().drain(() -> workers.next().execute(finish));
  }

  /**
   * Graceful stop (SIGTERM, preStop): stop accepting; idle HTTP/1.1 connections close at once and
   * busy ones after their response, which says {@code Connection: close}; HTTP/2 connections get a
   * GOAWAY announcing no more streams, then after a round trip a second GOAWAY with the last stream
   * actually taken, and close when those streams end. Returns when every connection is closed and
   * every request ended, or at {@code grace}; {@link #close()} then ends whatever is left.
   */
  public void shutdown(java.time.Duration grace) {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    log.info("shutting down: draining for up to {}", grace);
    long deadline = System.nanoTime() + grace.toNanos();
    List<DownstreamServer> all = new ArrayList<>(servers.values());
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
    Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    servers.forEach((name, server) -> addresses.put(name, server.localAddress()));
    return addresses;
  }

  public InetSocketAddress adminAddress() {
    return admin.localAddress();
  }

  public ProxyMetrics metrics() {
    return metrics;
  }

  @Override
  public java.util.Map<String, dev.sluice.sidecar.offload.AgentHealth> agentHealth() {
    return generation().agentHealth();
  }

  public Generation generation() {
    return current.get();
  }

  @Override
  public void close() {
    reloads.close();
    List<AutoCloseable> parts = new ArrayList<>(servers.values());
    if (admin != null) {
      parts.add(admin);
    }
    for (AutoCloseable part : parts) {
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
  }

  /** A config source that reads {@code file} each time. */
  public static Callable<SidecarConfig> fileSource(java.nio.file.Path file) {
    return () -> SidecarConfigCodec.read(file);
  }
}
