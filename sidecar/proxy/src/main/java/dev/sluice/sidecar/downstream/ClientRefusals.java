package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.http2.Refusal;
import dev.sluice.sidecar.http2.ServerEvents;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one HTTP/2 client connection had refused: every refusal counted by reason, and logged at
 * most once per connection — its first refused stream at DEBUG (a client's ordinary mistake, or one
 * of many a flood repeats), the refusal that closes the connection at INFO (a client cut off).
 * Event-loop confined.
 */
final class ClientRefusals implements ServerEvents {
  private static final Logger log = LoggerFactory.getLogger(ClientRefusals.class);

  private final Channel connection;
  private final ProxyMetrics metrics;
  private boolean streamLogged;
  private boolean cutLogged;

  ClientRefusals(Channel connection, ProxyMetrics metrics) {
    this.connection = connection;
    this.metrics = metrics;
  }

  @Override
  public void refused(Refusal refusal, String detail) {
    metrics.downstreamRefusal(refusal.label());
    if (refusal.endsConnection()) {
      if (!cutLogged) {
        cutLogged = true;
        log.info(
            "closing HTTP/2 client connection from {} ({}): {}",
            connection.remoteAddress(),
            refusal.label(),
            detail);
      }
    } else if (!streamLogged) {
      streamLogged = true;
      log.debug(
          "HTTP/2 client {}: {} ({}); further refusals on this connection are only counted",
          connection.remoteAddress(),
          detail,
          refusal.label());
    }
  }

  @Override
  public void controlFrame(boolean ping) {
    metrics.downstreamControlFrame(ping);
  }
}
