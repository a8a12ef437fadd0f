package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.accesslog.Actor;
import dev.sluice.sidecar.accesslog.Cause;
import dev.sluice.sidecar.accesslog.Stage;
import dev.sluice.sidecar.accesslog.Termination;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.http2.HeadFields;
import dev.sluice.sidecar.http2.Http2Head;
import dev.sluice.sidecar.http2.WireHead;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * An extended CONNECT (RFC 8441) from an HTTP/2 client: {@code :method CONNECT} with a {@code
 * :protocol} (WebSocket's is {@code websocket}). The downstream reads it as the GET of its {@code
 * :path} it stands for, so it is routed and offloaded like an HTTP/1.1 upgrade; its rule must list
 * the protocol in {@code upgrades}. Towards an HTTP/1.1 upstream it becomes that upgrade request
 * ({@code Connection: Upgrade}, {@code Upgrade}, a {@code Sec-WebSocket-Key} of the sidecar's own,
 * whose {@code Sec-WebSocket-Accept} the {@code 101} must carry), and the 101 becomes the client's
 * {@code 200}; an HTTP/2 upstream gets the extended CONNECT as it is, when its SETTINGS allowed it.
 * Either way the accepted stream then carries a {@link StreamTunnel}.
 */
final class ExtendedConnect {
  /** RFC 6455 section 1.3: appended to the key before hashing. */
  private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private static final String WEBSOCKET = "websocket";
  private static final AsciiString PROTOCOL = Http2Headers.PseudoHeaderName.PROTOCOL.value();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String protocol;

  /** The {@code Sec-WebSocket-Key} sent to an HTTP/1.1 upstream; null until then. */
  private @Nullable String key;

  private ExtendedConnect(String protocol) {
    this.protocol = protocol;
  }

  /** The extended CONNECT {@code head} is, or null when it is another request. */
  static @Nullable ExtendedConnect of(HttpRequest head) {
    String protocol = protocol(head);
    return protocol == null ? null : new ExtendedConnect(protocol);
  }

  /**
   * The {@code :protocol} of an extended CONNECT head (an HTTP/2 client's request read as a GET);
   * null for any other head. The downstream refuses {@code :protocol} on other methods as
   * malformed.
   */
  static @Nullable String protocol(HttpRequest head) {
    if (!(head instanceof Http2Head h2)) {
      return null;
    }
    CharSequence value = h2.block().get(PROTOCOL);
    return value == null ? null : value.toString();
  }

  /**
   * Null when the request may go on, else the answer: the rule must list the protocol in {@code
   * upgrades} (405, as for a CONNECT no rule takes), the stream must stay open for the tunnel, and
   * a WebSocket needs its {@code sec-websocket-version} (RFC 8441 section 5, RFC 6455 4.1).
   */
  @Nullable Ending admit(HttpRequest head, RouteRule rule, String ruleName) {
    if (rule.upgrades().stream().noneMatch(protocol::equalsIgnoreCase)) {
      return Ending.answered(
          HttpResponseStatus.METHOD_NOT_ALLOWED,
          "extended CONNECT with :protocol "
              + protocol
              + " is not allowed by rule "
              + ruleName
              + " (expected: "
              + protocol
              + " in its upgrades "
              + rule.upgrades()
              + ")",
          Termination.of(Actor.PROXY, Stage.REQUEST, Cause.LOCAL, "upgrade not allowed"));
    }
    if (head instanceof FullHttpRequest) {
      return Ending.answered(
          HttpResponseStatus.BAD_REQUEST,
          "extended CONNECT whose HEADERS end the stream (expected: a stream left open for the"
              + " tunnel, RFC 8441 section 4)",
          Termination.of(Actor.CLIENT, Stage.REQUEST, Cause.MALFORMED, "extended CONNECT"));
    }
    if (websocket() && HeadFields.get(head, HttpHeaderNames.SEC_WEBSOCKET_VERSION) == null) {
      return Ending.answered(
          HttpResponseStatus.BAD_REQUEST,
          "extended CONNECT for websocket without sec-websocket-version (expected: 13, RFC 8441"
              + " section 5)",
          Termination.of(Actor.CLIENT, Stage.REQUEST, Cause.MALFORMED, "extended CONNECT"));
    }
    return null;
  }

  /**
   * Null when {@code lease} can carry the request, else the 502: an HTTP/2 upstream that did not
   * advertise SETTINGS_ENABLE_CONNECT_PROTOCOL must not get {@code :protocol} (RFC 8441 section 3).
   */
  @Nullable Ending refusedBy(UpstreamLease lease, String ruleName) {
    if (!lease.http2() || lease.acceptsExtendedConnect()) {
      return null;
    }
    return Ending.answered(
        HttpResponseStatus.BAD_GATEWAY,
        "the HTTP/2 upstream of rule "
            + ruleName
            + " does not accept extended CONNECT for "
            + protocol
            + " (expected: SETTINGS_ENABLE_CONNECT_PROTOCOL=1 in its SETTINGS, RFC 8441 section 3)",
        Termination.of(Actor.UPSTREAM, Stage.CONNECT, Cause.LOCAL, "no extended CONNECT"));
  }

  /**
   * The request for the upstream, from {@code upstreamHead} (the header rules' head, built without
   * a body): to HTTP/1.1 the upgrade request with a fresh key, to HTTP/2 the extended CONNECT
   * again, its HEADERS leaving the stream open.
   */
  HttpRequest forUpstream(HttpRequest upstreamHead, boolean http2) {
    if (http2) {
      Http2Headers block = ((WireHead) upstreamHead).block();
      block.method(HttpMethod.CONNECT.asciiName());
      block.set(PROTOCOL, protocol);
      return WireHead.request(HttpMethod.CONNECT, upstreamHead.uri(), block);
    }
    upstreamHead
        .headers()
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
        .set(HttpHeaderNames.UPGRADE, protocol);
    if (websocket()) {
      String fresh = newKey();
      key = fresh;
      upstreamHead.headers().set(HttpHeaderNames.SEC_WEBSOCKET_KEY, fresh);
    }
    return upstreamHead;
  }

  /**
   * Null when the upstream's answer head may go on, else the 502: a {@code 101} to the WebSocket
   * handshake must carry the {@code Sec-WebSocket-Accept} of the key the sidecar sent (RFC 6455
   * section 4.1), else the upstream is not the WebSocket server it seems.
   */
  @Nullable Ending check(HttpResponse head, String ruleName) {
    String sent = key;
    if (sent == null || !Upgrades.accepted(head)) {
      return null;
    }
    String expected = accept(sent);
    String got = head.headers().get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
    if (expected.equals(got)) {
      return null;
    }
    return Ending.answered(
        HttpResponseStatus.BAD_GATEWAY,
        "the upstream of rule "
            + ruleName
            + " accepted the WebSocket handshake with sec-websocket-accept "
            + (got == null ? "missing" : "\"" + got + "\"")
            + " (expected: \""
            + expected
            + "\", for the key the sidecar sent, RFC 6455 section 4.1)",
        Termination.of(Actor.UPSTREAM, Stage.HEADERS, Cause.MALFORMED, "sec-websocket-accept"));
  }

  /** True when {@code response} opens the tunnel: a 101 from HTTP/1.1, a 2xx from HTTP/2. */
  static boolean accepted(HttpResponse response, boolean upstreamHttp2) {
    return upstreamHttp2
        ? response.status().codeClass() == HttpStatusClass.SUCCESS
            && !(response instanceof LastHttpContent) // a 2xx that ended its stream is no tunnel
        : Upgrades.accepted(response);
  }

  /**
   * The client's answer to an accepted request, from the one the header rules made ({@code out},
   * bound for HTTP/2): a 101 becomes {@code 200} without {@code sec-websocket-accept}, which HTTP/2
   * does not use (RFC 8441 section 5); the subprotocol and extensions pass.
   */
  static void confirm(HttpResponse out, boolean upstreamHttp2) {
    if (!upstreamHttp2) {
      Http2Headers block = ((WireHead) out).block();
      block.status(HttpResponseStatus.OK.codeAsText());
      block.remove(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
    }
  }

  /**
   * The tunnel on the accepted stream: towards an HTTP/1.1 upstream its connection, taken from the
   * pool (closed with it at a drain's end), towards an HTTP/2 one the stream itself. Null when the
   * connection cannot be taken.
   */
  static @Nullable StreamTunnel tunnel(Exchange exchange, Runnable onEnded) {
    UpstreamLease lease = exchange.leased();
    UpstreamLease upstream;
    if (lease.http2()) {
      lease.tunneled();
      upstream = lease;
    } else {
      Channel channel = lease.takeForTunnel();
      if (channel == null) {
        return null;
      }
      upstream = TunnelChannelLease.of(channel);
    }
    String rule = exchange.rule.name();
    exchange.metrics.tunnelOpened(rule);
    return StreamTunnel.open(
        exchange.downstream,
        upstream,
        exchange.config.timeouts().tunnelIdle(),
        how -> {
          exchange.metrics.tunnelEnded(rule, how.label);
          onEnded.run();
        });
  }

  private boolean websocket() {
    return WEBSOCKET.equalsIgnoreCase(protocol);
  }

  /** A {@code Sec-WebSocket-Key}: 16 random bytes, base64 (RFC 6455 section 4.1). */
  static String newKey() {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    return Base64.getEncoder().encodeToString(nonce);
  }

  /** The {@code Sec-WebSocket-Accept} for {@code key} (RFC 6455 section 4.2.2). */
  static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
  }
}
