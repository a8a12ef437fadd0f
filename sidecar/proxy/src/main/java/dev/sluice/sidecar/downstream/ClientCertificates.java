package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.config.ClientValidation;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Locale;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's certificate on a listener that validates them, between the TLS handler
 * and ALPN: when the handshake is done, what the certificate came to is counted, and the identity
 * (or its absence) is kept for the connection's requests; a handshake the listener refused is
 * counted and logged with the reason. Removes itself after the handshake.
 */
final class ClientCertificates extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ClientCertificates.class);

  private final ListenerContext listener;
  private final ClientCertificateTrust trust;
  private final @Nullable String identityHeader;

  ClientCertificates(
      ListenerContext listener, ClientCertificateTrust trust, ClientValidation validation) {
    this.listener = listener;
    this.trust = trust;
    this.identityHeader = validation.identityHeader();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (identityHeader != null) {
      // Until the handshake says otherwise the connection has no identity: the header is stripped.
      ForwardedIdentity.of(identityHeader, null).keep(ctx.channel());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent done) {
      if (done.isSuccess()) {
        handshakeDone(ctx);
      } else {
        handshakeFailed(ctx, done.cause());
      }
      ctx.pipeline().remove(this);
    }
    super.userEventTriggered(ctx, evt);
  }

  private void handshakeDone(ChannelHandlerContext ctx) {
    X509Certificate[] chain = peerChain(ctx);
    // AllowValidOnly: the handshake verified the chain. AllowInsecureFallback: verified here.
    ClientCertificateOutcome outcome =
        trust.enforcing() ? ClientCertificateOutcome.VERIFIED : trust.verify(chain);
    count(outcome);
    if (outcome != ClientCertificateOutcome.VERIFIED) {
      log.debug(
          "listener {} serves {} without a client identity: {} (mode AllowInsecureFallback)",
          listener.config().name(),
          ctx.channel().remoteAddress(),
          outcome.sentence());
    } else if (identityHeader != null) {
      ForwardedIdentity.of(identityHeader, ClientIdentity.of(chain[0])).keep(ctx.channel());
    }
  }

  private void handshakeFailed(ChannelHandlerContext ctx, Throwable cause) {
    ClientCertificateOutcome outcome = outcome(cause);
    if (outcome == null) {
      log.debug(
          "listener {}: TLS handshake with {} failed: {}",
          listener.config().name(),
          ctx.channel().remoteAddress(),
          cause.toString());
      return;
    }
    count(outcome);
    log.info(
        "listener {} refused the TLS handshake of {}: {} (expected: a client certificate signed"
            + " by the listener's CA, valid now; mode AllowValidOnly)",
        listener.config().name(),
        ctx.channel().remoteAddress(),
        outcome.sentence());
  }

  /**
   * Why the handshake failed, when it was the client's certificate: the trust's reason, or a client
   * that sent none (the TLS engine's own refusal, known only by its message: the JDK's "Empty
   * client certificate chain", BoringSSL's PEER_DID_NOT_RETURN_A_CERTIFICATE). Null for a failure
   * that is not about the certificate.
   */
  private static @Nullable ClientCertificateOutcome outcome(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ClientCertificateTrust.Rejected rejected) {
        return rejected.outcome();
      }
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (message.contains("empty client certificate chain")
          || message.contains("peer_did_not_return_a_certificate")) {
        return ClientCertificateOutcome.NO_CERTIFICATE;
      }
    }
    return null;
  }

  private void count(ClientCertificateOutcome outcome) {
    listener.metrics().clientCertificate(listener.config().name(), outcome.label());
  }

  private static X509Certificate[] peerChain(ChannelHandlerContext ctx) {
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    Certificate[] peer;
    try {
      peer = tls == null ? null : tls.engine().getSession().getPeerCertificates();
    } catch (SSLPeerUnverifiedException none) {
      peer = null;
    }
    if (peer == null) {
      return new X509Certificate[0];
    }
    return Arrays.stream(peer)
        .filter(X509Certificate.class::isInstance)
        .map(X509Certificate.class::cast)
        .toArray(X509Certificate[]::new);
  }
}
