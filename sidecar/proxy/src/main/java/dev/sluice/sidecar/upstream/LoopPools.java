package dev.sluice.sidecar.upstream;

import dev.sluice.sidecar.endpoints.EndpointSet;
import dev.sluice.sidecar.endpoints.UpstreamEndpoint;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One upstream's connection pools on one event loop, one per endpoint. Event-loop confined. A pool
 * exists only for an endpoint that takes requests: {@link #retireIneligible} (run on the loop after
 * every endpoint update) retires the others, so a pool created from a pick made just before an
 * update is retired right after it.
 */
final class LoopPools {
  private final EventLoop loop;
  private final Function<UpstreamEndpoint, UpstreamPool.LoopPool> create;
  private final Supplier<EndpointSet> current;
  private final Map<UpstreamEndpoint, UpstreamPool.LoopPool> byEndpoint = new HashMap<>();

  /** Retired pools that still hold tunnels: closed with the rest (a drain's end). */
  private final List<UpstreamPool.LoopPool> retired = new ArrayList<>();

  LoopPools(
      EventLoop loop,
      Function<UpstreamEndpoint, UpstreamPool.LoopPool> create,
      Supplier<EndpointSet> current) {
    this.loop = loop;
    this.create = create;
    this.current = current;
  }

  UpstreamPool.LoopPool forEndpoint(UpstreamEndpoint endpoint) {
    UpstreamPool.LoopPool pool = byEndpoint.get(endpoint);
    if (pool == null) {
      pool = create.apply(endpoint);
      byEndpoint.put(endpoint, pool);
    }
    return pool;
  }

  /** Retires the pools of endpoints that no longer take requests. */
  void retireIneligible() {
    EndpointSet set = current.get();
    for (Iterator<Map.Entry<UpstreamEndpoint, UpstreamPool.LoopPool>> it =
            byEndpoint.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<UpstreamEndpoint, UpstreamPool.LoopPool> entry = it.next();
      if (!set.serves(entry.getKey())) {
        it.remove();
        if (entry.getValue().retire()) {
          retired.add(entry.getValue());
        }
      }
    }
  }

  /** Endpoint pools on this loop (for tests and {@code /config}). */
  int size() {
    assert loop.inEventLoop();
    return byEndpoint.size();
  }

  void close() {
    byEndpoint.values().forEach(UpstreamPool.LoopPool::close);
    byEndpoint.clear();
    retired.forEach(UpstreamPool.LoopPool::close);
    retired.clear();
  }
}
