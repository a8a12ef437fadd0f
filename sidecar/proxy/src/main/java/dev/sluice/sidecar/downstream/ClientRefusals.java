package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.http2.Refusal;
import dev.sluice.sidecar.http2.ServerEvents;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import io.netty.channel.Channel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one client connection, HTTP/1.1 or HTTP/2, had refused: every refusal counted by reason, and
 * logged at most once per connection — its first refused request or stream at DEBUG (a client's
 * ordinary mistake, or one of many a flood repeats), the refusal that closes the connection at INFO
 * (a client cut off). One per connection, kept on the channel. Event-loop confined.
 */
final class ClientRefusals implements ServerEvents {
  private static final Logger log = LoggerFactory.getLogger(ClientRefusals.class);
  private static final AttributeKey<ClientRefusals> KEY =
      AttributeKey.valueOf("sluice.clientRefusals");

  private final Channel connection;
  private final ProxyMetrics metrics;
  private boolean streamLogged;
  private boolean cutLogged;

  private ClientRefusals(Channel connection, ProxyMetrics metrics) {
    this.connection = connection;
    this.metrics = metrics;
  }

  /** The refusals of {@code connection}, made on first use. */
  static ClientRefusals of(Channel connection, ProxyMetrics metrics) {
    Attribute<ClientRefusals> kept = connection.attr(KEY);
    ClientRefusals refusals = kept.get();
    if (refusals == null) {
      refusals = new ClientRefusals(connection, metrics);
      kept.set(refusals);
    }
    return refusals;
  }

  @Override
  public void refused(Refusal refusal, String detail) {
    metrics.downstreamRefusal(refusal.label());
    if (refusal.endsConnection()) {
      if (!cutLogged) {
        cutLogged = true;
        log.info(
            "closing client connection from {} ({}): {}",
            connection.remoteAddress(),
            refusal.label(),
            detail);
      }
    } else if (!streamLogged) {
      streamLogged = true;
      log.debug(
          "client {}: {} ({}); further refusals on this connection are only counted",
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
