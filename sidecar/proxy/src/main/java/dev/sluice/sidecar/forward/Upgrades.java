package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.http2.HeadFields;
import dev.sluice.sidecar.tunnel.Tunnel;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 protocol upgrades (RFC 9110 7.8), WebSocket's handshake among them. {@code Upgrade} and
 * {@code Connection} are hop-by-hop, so the header rules remove them; for a request whose upgrade
 * its rule allows they are sent on to the upstream, and a {@code 101 Switching Protocols} answer
 * goes back with them, after which the exchange becomes a tunnel.
 */
final class Upgrades {
  /**
   * The upgrade token {@code head} asks for when its rule allows it, else null. Only a bodyless
   * HTTP/1.1 request to an HTTP/1.1 upstream ({@code protocol}: the chosen backend's) can upgrade
   * (RFC 9113 8.6: HTTP/2 has no Upgrade); {@code h2c} is never one (RFC 9113 3.1: a server ignores
   * it and answers in HTTP/1.1). Any other request asking for an upgrade is served as a plain
   * request without it, as a server may ignore {@code Upgrade}.
   */
  static @Nullable String requested(
      HttpRequest head,
      RouteRule rule,
      Upstream.Protocol protocol,
      boolean http2Downstream,
      boolean bodyless) {
    if (http2Downstream || !bodyless || protocol != Upstream.Protocol.HTTP1) {
      return null;
    }
    String upgrade = HeadFields.get(head, HttpHeaderNames.UPGRADE);
    if (upgrade == null || !listsUpgrade(HeadFields.get(head, HttpHeaderNames.CONNECTION))) {
      return null;
    }
    // The client's preference comes first (RFC 9110 7.8); only that one is offered upstream.
    int comma = upgrade.indexOf(',');
    String token = (comma < 0 ? upgrade : upgrade.substring(0, comma)).trim();
    for (String allowed : rule.upgrades()) {
      if (allowed.equalsIgnoreCase(token)) {
        return token;
      }
    }
    return null;
  }

  private static boolean listsUpgrade(@Nullable String connection) {
    if (connection == null) {
      return false;
    }
    for (String option : connection.split(",", -1)) {
      if (HttpHeaderValues.UPGRADE.contentEqualsIgnoreCase(option.trim())) {
        return true;
      }
    }
    return false;
  }

  /** Puts the upgrade back on the request for the upstream (an HTTP/1.1 head). */
  static void offer(HttpRequest upstreamHead, String token) {
    upstreamHead
        .headers()
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
        .set(HttpHeaderNames.UPGRADE, token);
  }

  /** True when {@code response} accepts the upgrade the request offered. */
  static boolean accepted(HttpResponse response) {
    return response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()
        && response.headers().contains(HttpHeaderNames.UPGRADE);
  }

  /**
   * The 101 for the client: the protocol the upstream switched to, {@code Connection: upgrade} in
   * place of the keep-alive decision the header rules made.
   */
  static void confirm(HttpResponse downstreamHead, HttpResponse upstreamHead) {
    downstreamHead
        .headers()
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
        .set(HttpHeaderNames.UPGRADE, upstreamHead.headers().get(HttpHeaderNames.UPGRADE));
  }

  /**
   * Hands both connections of {@code exchange} over to a {@link Tunnel}, counted on its rule;
   * {@code onEnded} runs when the tunnel ends. False when a side cannot carry one (then nothing was
   * taken from the upstream side).
   */
  static boolean tunnel(Exchange exchange, Runnable onEnded) {
    Channel client = exchange.downstream.takeForTunnel();
    Channel server = client == null ? null : exchange.leased().takeForTunnel();
    if (client == null || server == null) {
      return false;
    }
    String rule = exchange.rule.name();
    exchange.metrics.tunnelOpened(rule);
    Tunnel.open(
        client,
        server,
        exchange.config.timeouts().tunnelIdle(),
        how -> {
          exchange.metrics.tunnelEnded(rule, how.label);
          onEnded.run();
        });
    return true;
  }

  private Upgrades() {}
}
