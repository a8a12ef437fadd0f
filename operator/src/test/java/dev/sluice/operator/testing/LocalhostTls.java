package dev.sluice.operator.testing;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.net.http.HttpClient;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost}: the server's TLS context with it, and an HTTP
 * client that trusts exactly it, as the API server trusts a webhook's caBundle.
 */
public final class LocalhostTls implements AutoCloseable {
  private final SelfSignedCertificate certificate;
  private final SSLContext server;
  private final HttpClient client;

  private LocalhostTls() throws Exception {
    certificate = new SelfSignedCertificate("localhost");
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "webhook", certificate.key(), "x".toCharArray(), new Certificate[] {certificate.cert()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "x".toCharArray());
    server = SSLContext.getInstance("TLS");
    server.init(kmf.getKeyManagers(), null, null);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("webhook", certificate.cert());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, tmf.getTrustManagers(), null);
    client = HttpClient.newBuilder().sslContext(clientTls).build();
  }

  public static LocalhostTls create() throws Exception {
    return new LocalhostTls();
  }

  /** The server side: the certificate and its key. */
  public SSLContext server() {
    return server;
  }

  /** A client trusting only this certificate. */
  public HttpClient client() {
    return client;
  }

  @Override
  public void close() {
    certificate.delete();
  }
}
