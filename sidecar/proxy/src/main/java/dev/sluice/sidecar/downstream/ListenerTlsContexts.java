package dev.sluice.sidecar.downstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.ServerTls;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;

/** Server TLS for HTTPS listeners: ALPN offering h2 then http/1.1. */
final class ListenerTlsContexts {

  /** Builds the context; failures name the listener field and the reason. */
  static SslContext build(String listenerPath, ServerTls tls) {
    try {
      SslContextBuilder builder =
          // Validated: both files, or both inline PEMs.
          tls.certificateFile() != null
              ? SslContextBuilder.forServer(
                  new File(tls.certificateFile()), new File(requireNonNull(tls.privateKeyFile())))
              : SslContextBuilder.forServer(
                  new ByteArrayInputStream(
                      requireNonNull(tls.certificatePem()).getBytes(StandardCharsets.US_ASCII)),
                  new ByteArrayInputStream(
                      requireNonNull(tls.privateKeyPem()).getBytes(StandardCharsets.US_ASCII)));
      return builder
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  ApplicationProtocolConfig.Protocol.ALPN,
                  ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                  ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                  ApplicationProtocolNames.HTTP_2,
                  ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (Exception e) {
      throw new IllegalArgumentException(
          listenerPath
              + ".tls: "
              + tls
              + " cannot be loaded (expected: a PEM certificate chain and"
              + " its PKCS#8 private key): "
              + e.getMessage(),
          e);
    }
  }

  private ListenerTlsContexts() {}
}
