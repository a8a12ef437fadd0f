package dev.sluice.sidecar.downstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.ClientValidation;
import dev.sluice.sidecar.config.ServerTls;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Server TLS for HTTPS listeners: ALPN offering h2 then http/1.1, and client certificates when the
 * listener validates them ({@code AllowValidOnly}: required and verified in the handshake; {@code
 * AllowInsecureFallback}: asked for, verified by the connection once the handshake is done).
 */
final class ListenerTlsContexts {

  /**
   * A listener's TLS.
   *
   * @param context the server context
   * @param clientTrust the client CA's trust; null when the listener asks for no certificate
   * @param clientValidation the listener's validation; null when none
   */
  record ListenerTls(
      SslContext context,
      @Nullable ClientCertificateTrust clientTrust,
      @Nullable ClientValidation clientValidation) {}

  /** Builds the context; failures name the listener field and the reason. */
  static ListenerTls build(String listenerPath, ServerTls tls) {
    ClientValidation validation = tls.clientValidation();
    ClientCertificateTrust trust =
        validation == null
            ? null
            : ClientCertificateTrust.of(listenerPath + ".tls.clientValidation", validation);
    return new ListenerTls(context(listenerPath, tls, trust), trust, validation);
  }

  private static SslContext context(
      String listenerPath, ServerTls tls, @Nullable ClientCertificateTrust trust) {
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
      if (trust != null) {
        builder
            .trustManager(trust)
            .clientAuth(trust.enforcing() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
      }
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
