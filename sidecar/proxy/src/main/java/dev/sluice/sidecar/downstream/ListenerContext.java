package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.config.DownstreamListener;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.runtime.Generation;
import java.util.function.Supplier;

/**
 * What every connection of one listener shares: its config, the current generation (read when a
 * request starts, so a request finishes on the generation it began with) and the metrics.
 */
public record ListenerContext(
    DownstreamListener config, Supplier<Generation> generation, ProxyMetrics metrics) {

  String scheme() {
    return config.protocol() == DownstreamListener.Protocol.HTTPS ? "https" : "http";
  }
}
