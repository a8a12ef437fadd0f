package dev.sluice.sidecar.reload;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.admin.AdminServer;
import dev.sluice.sidecar.admin.ReloadControl;
import dev.sluice.sidecar.config.DownstreamListener;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.downstream.DownstreamServer;
import dev.sluice.sidecar.downstream.ListenerContext;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.transport.Io;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The listening sockets across reloads: the listeners by name and the admin listener. A reload
 * prepares its changes ({@link Changes}: new addresses bound, settings changes made ready) before
 * the swap and commits them at the swap, so a listener whose address is unchanged keeps its socket.
 */
public final class Listeners {
  private final Map<String, DownstreamServer> servers = new LinkedHashMap<>();
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Io io;
  private final ProxyMetrics metrics;
  private final Supplier<Generation> generation;
  private final BooleanSupplier stopping;
  private final ReloadControl reloads;
  private @Nullable AdminServer admin;
  private @Nullable String adminAddress;

  public Listeners(
      EventLoopGroup boss,
      EventLoopGroup workers,
      Io io,
      ProxyMetrics metrics,
      Supplier<Generation> generation,
      BooleanSupplier stopping,
      ReloadControl reloads) {
    this.boss = boss;
    this.workers = workers;
    this.io = io;
    this.metrics = metrics;
    this.generation = generation;
    this.stopping = stopping;
    this.reloads = reloads;
  }

  /** Binds every listener of {@code config} and its admin listener; throws naming what failed. */
  public void bindAll(SidecarConfig config) {
    List<DownstreamListener> listeners = config.listeners();
    for (int i = 0; i < listeners.size(); i++) {
      DownstreamListener listener = listeners.get(i);
      servers.put(listener.name(), bind(listener, "listeners[" + i + "]"));
    }
    adminAddress = config.admin().address();
    admin = bindAdmin(adminAddress);
  }

  private DownstreamServer bind(DownstreamListener listener, String path) {
    return unbound(listener, path).bind(boss, workers, io, path);
  }

  private DownstreamServer unbound(DownstreamListener listener, String path) {
    return new DownstreamServer(new ListenerContext(listener, generation, metrics, stopping), path);
  }

  private AdminServer bindAdmin(String address) {
    return new AdminServer(generation, metrics, reloads).bind(address, boss, io.transport());
  }

  /**
   * What {@code next} changes, prepared: new and moved listeners bound, changed settings made
   * ready, removed ones listed, a moved admin listener bound. Throws (having closed what it bound)
   * when a socket cannot be bound.
   */
  public Changes prepare(SidecarConfig next) {
    Changes changes = new Changes();
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
          changes.updated.put(existing, unbound(listener, path));
        } else {
          changes.bound.put(listener.name(), bind(listener, path));
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
        changes.newAdminAddress = next.admin().address();
        changes.newAdmin = bindAdmin(changes.newAdminAddress);
      }
      return changes;
    } catch (RuntimeException e) {
      changes.abandon();
      throw e;
    }
  }

  /** A reload's listener changes, ready to commit at the swap (or be abandoned). */
  public final class Changes {
    private final Map<String, DownstreamServer> bound = new LinkedHashMap<>();
    private final Map<DownstreamServer, DownstreamServer> updated = new LinkedHashMap<>();
    private final List<DownstreamServer> removed = new ArrayList<>();
    private @Nullable AdminServer newAdmin;
    private @Nullable String newAdminAddress;

    /** The swap: nothing here can fail. Removed listeners stop accepting (closed by the drain). */
    public void commit() {
      updated.forEach(DownstreamServer::update);
      for (DownstreamServer gone : removed) {
        gone.stopAccepting();
        servers.values().remove(gone);
      }
      servers.putAll(bound);
      if (newAdmin != null) {
        AdminServer previous = requireNonNull(admin); // bound by bindAll before any reload
        admin = newAdmin;
        adminAddress = newAdminAddress;
        previous.close();
      }
    }

    /** Closes what was bound for a reload that will not happen. */
    public void abandon() {
      bound.values().forEach(DownstreamServer::close);
      if (newAdmin != null) {
        newAdmin.close();
      }
    }

    /** Listeners the reload removes: they close once the old generation drained. */
    public List<DownstreamServer> removed() {
      return removed;
    }
  }

  public List<DownstreamServer> servers() {
    return new ArrayList<>(servers.values());
  }

  public Map<String, InetSocketAddress> addresses() {
    Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    servers.forEach((name, server) -> addresses.put(name, server.localAddress()));
    return addresses;
  }

  public InetSocketAddress adminAddress() {
    return requireNonNull(admin, "not bound yet").localAddress();
  }

  /** Everything that listens, for closing: the listeners and the admin listener (once bound). */
  public List<AutoCloseable> all() {
    List<AutoCloseable> parts = new ArrayList<>(servers.values());
    if (admin != null) {
      parts.add(admin);
    }
    return parts;
  }
}
