package dev.sluice.sidecar.upstream;

import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.config.UpstreamTls;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;

/** Client TLS for h2 upstreams: ALPN h2 only, hostname verification unless told otherwise. */
final class UpstreamTlsContexts {

  static SslContext build(Upstream upstream) {
    UpstreamTls tls = upstream.tls() == null ? new UpstreamTls(null, null, false) : upstream.tls();
    SslContextBuilder builder =
        SslContextBuilder.forClient()
            .applicationProtocolConfig(
                new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2));
    if (tls.insecureSkipVerify()) {
      builder
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .endpointIdentificationAlgorithm(null);
    } else {
      builder.endpointIdentificationAlgorithm("HTTPS");
      if (tls.caPem() != null) {
        builder.trustManager(
            new ByteArrayInputStream(tls.caPem().getBytes(StandardCharsets.US_ASCII)));
      }
    }
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException(
          "upstream.tls: cannot build a TLS client context: " + e, e);
    }
  }

  private UpstreamTlsContexts() {}
}
