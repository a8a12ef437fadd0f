package dev.sluice.operator.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.operator.inject.AdmissionWebhook;
import dev.sluice.operator.inject.InjectionSettings;
import dev.sluice.operator.inject.SidecarAccessLog;
import dev.sluice.operator.inject.SidecarTracing;
import dev.sluice.operator.inject.WebhookServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * Invariant: the operator's own CA issues serving certificates that a client trusting only that CA
 * accepts over real HTTPS (and one trusting another CA refuses), for exactly the names asked; and a
 * certificate is replaced before the last third of its life.
 */
class CertificatesIT {
  static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

  @Test
  void theCaSignsServingCertificatesForTheServiceNames() throws Exception {
    Certificates.Pair ca = Certificates.authority("sluice-operator-ca", NOW, Duration.ofDays(3650));
    List<String> names =
        List.of(
            "sluice-operator.sluice-system.svc", "sluice-operator.sluice-system.svc.cluster.local");
    Certificates.Pair serving = Certificates.serving(ca, names, NOW, Duration.ofDays(90));
    X509Certificate caCert = Certificates.certificate(ca.certificatePem());
    X509Certificate cert = Certificates.certificate(serving.certificatePem());
    cert.verify(caCert.getPublicKey());
    assertThat(caCert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    List<Object> sans =
        cert.getSubjectAlternativeNames().stream().map(san -> (Object) san.get(1)).toList();
    assertThat(sans).containsExactlyElementsOf(List.copyOf(names));
    assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
    assertThat(serving.privateKeyPem()).contains("PRIVATE KEY");
  }

  @Test
  void aClientTrustingTheCaAcceptsTheWebhookAndOneTrustingAnotherRefuses() throws Exception {
    Instant now = Instant.now();
    Certificates.Pair ca = Certificates.authority("sluice-operator-ca", now, Duration.ofDays(1));
    Certificates.Pair serving =
        Certificates.serving(ca, List.of("localhost"), now, Duration.ofDays(1));
    InjectionSettings settings =
        new InjectionSettings(
            "img",
            "https://op",
            "sluice-ca",
            true,
            "100m",
            "128Mi",
            "256Mi",
            SidecarAccessLog.JSON,
            SidecarTracing.OFF,
            "1",
            false);
    try (WebhookServer server =
        new WebhookServer(
            new InetSocketAddress("127.0.0.1", 0),
            Certificates.serverContext(serving),
            new AdmissionWebhook(settings, ns -> Map.of()),
            reason -> {})) {
      URI uri = URI.create("https://localhost:" + server.address().getPort() + WebhookServer.PATH);
      HttpResponse<String> ok =
          client(ca)
              .send(
                  HttpRequest.newBuilder(uri)
                      .POST(HttpRequest.BodyPublishers.ofString("{}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(400); // reached the handler over verified TLS
      Certificates.Pair other = Certificates.authority("someone-else", now, Duration.ofDays(1));
      assertThatThrownBy(
              () ->
                  client(other)
                      .send(
                          HttpRequest.newBuilder(uri)
                              .POST(HttpRequest.BodyPublishers.ofString("{}"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void certificatesAreRotatedBeforeTheLastThirdOfTheirLife() {
    Certificates.Pair ca = Certificates.authority("ca", NOW, Duration.ofDays(3650));
    Certificates.Pair serving = Certificates.serving(ca, List.of("svc"), NOW, Duration.ofDays(90));
    assertThat(Certificates.needsRotation(serving.certificatePem(), NOW.plus(Duration.ofDays(1))))
        .isFalse();
    assertThat(Certificates.needsRotation(serving.certificatePem(), NOW.plus(Duration.ofDays(59))))
        .isFalse();
    assertThat(Certificates.needsRotation(serving.certificatePem(), NOW.plus(Duration.ofDays(61))))
        .isTrue();
    assertThat(Certificates.needsRotation(serving.certificatePem(), NOW.minus(Duration.ofDays(1))))
        .isTrue();
    assertThat(Certificates.needsRotation("not a certificate", NOW)).isTrue();
  }

  private static HttpClient client(Certificates.Pair trustedCa) {
    return HttpClient.newBuilder()
        .sslContext(Certificates.trusting(trustedCa.certificatePem()))
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }
}
