package dev.sluice.sidecar.testing;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.File;

/** One throwaway self-signed certificate for localhost, and TLS contexts built from it. */
public final class TestTls {
  private static final SelfSignedCertificate CERTIFICATE = create();

  private static SelfSignedCertificate create() {
    try {
      return new SelfSignedCertificate("localhost");
    } catch (Exception e) {
      throw new IllegalStateException("cannot create a test certificate", e);
    }
  }

  public static File certificateFile() {
    return CERTIFICATE.certificate();
  }

  public static File privateKeyFile() {
    return CERTIFICATE.privateKey();
  }

  /** The same certificate as a JDK server SSLContext (for com.sun.net.httpserver test servers). */
  public static javax.net.ssl.SSLContext jdkServer() {
    try {
      java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] password = "test".toCharArray();
      keys.setKeyEntry(
          "localhost",
          CERTIFICATE.key(),
          password,
          new java.security.cert.Certificate[] {CERTIFICATE.cert()});
      javax.net.ssl.KeyManagerFactory factory =
          javax.net.ssl.KeyManagerFactory.getInstance(
              javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
      factory.init(keys, password);
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(factory.getKeyManagers(), null, null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Server context offering the given ALPN protocols in order. */
  public static SslContext server(String... alpn) {
    try {
      return SslContextBuilder.forServer(certificateFile(), privateKeyFile())
          .applicationProtocolConfig(alpn(alpn))
          .build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Client context trusting anything (tests only), offering the given ALPN protocols. */
  public static SslContext client(String... alpn) {
    try {
      return SslContextBuilder.forClient()
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .endpointIdentificationAlgorithm(null)
          .applicationProtocolConfig(alpn(alpn))
          .build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ApplicationProtocolConfig alpn(String... protocols) {
    return new ApplicationProtocolConfig(
        ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
        protocols.length == 0 ? new String[] {ApplicationProtocolNames.HTTP_2} : protocols);
  }

  private TestTls() {}
}
