package dev.sluice.operator.check;

import dev.sluice.operator.certs.Certificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A TLS handshake as the API server makes it with the webhook (and a sidecar with the config
 * service): the server's name is {@code host} (SNI, and the certificate must name it) and the only
 * trusted CAs are those of the bundle the install configured. The TCP connection may go to another
 * address than {@code host} resolves to (tests on loopback).
 */
final class TlsProbe {
  private static final int TIMEOUT_MILLIS = 5_000;

  private final String what;
  private final String host;
  private final int port;
  private final String connectTo;
  private final SSLContext trusting;
  private final String caSource;

  /**
   * @param what the listener's name in the report (webhook, config service)
   * @param connectTo the address to connect to, usually {@code host}
   * @param caPem the CA bundle the install configured
   * @param caSource where the bundle came from, for the report
   */
  TlsProbe(String what, String host, int port, String connectTo, String caPem, String caSource) {
    this.what = what;
    this.host = host;
    this.port = port;
    this.connectTo = connectTo;
    this.trusting = Certificates.trusting(caPem);
    this.caSource = caSource;
  }

  ProbeResult run() {
    String target = host + ":" + port;
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress(connectTo, port), TIMEOUT_MILLIS);
      tcp.setSoTimeout(TIMEOUT_MILLIS);
      try (SSLSocket tls =
          (SSLSocket) trusting.getSocketFactory().createSocket(tcp, host, port, true)) {
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        X509Certificate served = (X509Certificate) tls.getSession().getPeerCertificates()[0];
        return ProbeResult.ok(
            what
                + ": "
                + target
                + " serves TLS for "
                + host
                + " signed by the CA in "
                + caSource
                + " (certificate valid until "
                + served.getNotAfter().toInstant()
                + ")");
      }
    } catch (IOException e) {
      return ProbeResult.failed(
          what
              + ": "
              + target
              + ": "
              + e.getMessage()
              + " (expected: a TLS server whose certificate names "
              + host
              + " and is signed by the CA in "
              + caSource
              + ")");
    }
  }
}
