package dev.sluice.sidecar;

import dev.sluice.sidecar.admin.AdminServer;
import dev.sluice.sidecar.config.DownstreamListener;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.downstream.DownstreamServer;
import dev.sluice.sidecar.downstream.ListenerContext;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.runtime.Io;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running sidecar: listeners, admin listener and the current generation. */
public final class Sidecar implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sidecar.class);

  private final Io io;
  private final ProxyMetrics metrics = new ProxyMetrics();
  private final AtomicReference<Generation> current = new AtomicReference<>();
  private final Map<String, DownstreamServer> servers = new LinkedHashMap<>();
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private AdminServer admin;

  public Sidecar(int workerThreads) {
    this(workerThreads, Io.defaults());
  }

  public Sidecar(int workerThreads, Io io) {
    this.io = io;
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
        DownstreamServer server =
            new DownstreamServer(new ListenerContext(listener, current::get, metrics))
                .bind(boss, workers, io, "listeners[" + i + "]");
        servers.put(listener.name(), server);
      }
      admin =
          new AdminServer(current::get, metrics)
              .bind(config.admin().address(), boss, io.transport());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    log.info(
        "sluice-sidecar serving revision {} on {} (admin {}, transport {})",
        config.revision(),
        listenerAddresses(),
        admin.localAddress(),
        io.transport());
    return this;
  }

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

  public Generation generation() {
    return current.get();
  }

  @Override
  public void close() {
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
}
