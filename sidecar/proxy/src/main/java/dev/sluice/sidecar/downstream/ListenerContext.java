package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.config.DownstreamListener;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.runtime.Generation;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What every connection of one listener shares: its config, the current generation (read when a
 * request starts, so a request finishes on the generation it began with), the metrics, whether the
 * sidecar is shutting down (HTTP/1.1 responses then say {@code Connection: close}).
 */
public record ListenerContext(
    DownstreamListener config,
    Supplier<Generation> generation,
    ProxyMetrics metrics,
    BooleanSupplier stopping) {

  String scheme() {
    return config.protocol() == DownstreamListener.Protocol.HTTPS ? "https" : "http";
  }
}
