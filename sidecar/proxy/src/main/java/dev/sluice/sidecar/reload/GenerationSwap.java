package dev.sluice.sidecar.reload;

import dev.sluice.sidecar.accesslog.AccessLogOutput;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.downstream.DownstreamServer;
import dev.sluice.sidecar.endpoints.EndpointTable;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.ratelimit.RateLimits;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.trace.Spans;
import dev.sluice.sidecar.transport.Io;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The reload transaction: build the next generation's whole runtime (rule tables, upstream pools,
 * agent clients, TLS contexts) and prepare its listeners (new addresses bound) before anything
 * changes; any failure there rejects the config and leaves everything as it was. Then the swap,
 * which cannot fail: listener changes committed, the new generation current.
 */
public final class GenerationSwap {
  /** What a swap did: the generation it replaced and the listeners it removed. */
  public record Swapped(Generation old, List<DownstreamServer> removed) {}

  private final AtomicReference<Generation> current;
  private final Listeners listeners;
  private final Io io;
  private final EventLoopGroup workers;
  private final ProxyMetrics metrics;
  private final EndpointTable endpoints;

  private final AccessLogOutput accessLog;
  private final Spans spans;
  private final RateLimits rateLimits;

  public GenerationSwap(
      AtomicReference<Generation> current,
      Listeners listeners,
      Io io,
      EventLoopGroup workers,
      ProxyMetrics metrics,
      EndpointTable endpoints,
      AccessLogOutput accessLog,
      Spans spans,
      RateLimits rateLimits) {
    this.rateLimits = rateLimits;
    this.endpoints = endpoints;
    this.accessLog = accessLog;
    this.spans = spans;
    this.current = current;
    this.listeners = listeners;
    this.io = io;
    this.workers = workers;
    this.metrics = metrics;
  }

  /** Builds, prepares and swaps in {@code next} in place of {@code old}; reload thread. */
  public Swapped swap(Generation old, SidecarConfig next) throws ConfigRejection {
    Generation built;
    try {
      built = Generation.build(next, io, workers, metrics, endpoints, accessLog, spans, rateLimits);
    } catch (RuntimeException e) {
      throw ConfigRejection.notBuilt(next.revision(), e);
    }
    Listeners.Changes changes;
    try {
      changes = listeners.prepare(next);
    } catch (RuntimeException e) {
      built.close();
      throw ConfigRejection.notBuilt(next.revision(), e);
    }
    // The swap: from here on nothing can fail.
    changes.commit();
    current.set(built);
    return new Swapped(old, changes.removed());
  }
}
