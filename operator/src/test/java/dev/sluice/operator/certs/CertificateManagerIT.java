package dev.sluice.operator.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.sluice.operator.testing.MutableClock;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's TLS material on the mock API server and over real TLS: created once and shared by
 * replicas, patched into the webhook configuration, rotated before expiry and presented from the
 * next handshake on without a restart, the old CA kept in the bundle across a CA rotation.
 */
class CertificateManagerIT {
  static final String NS = "sluice-system";

  EmbeddedKubernetes cluster;
  KubernetesClient client;
  MutableClock clock;
  HttpsServer server;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    clock = new MutableClock(Instant.now());
    client
        .resource(
            new MutatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName("sluice-sidecar-injector")
                .endMetadata()
                .addNewWebhook()
                .withName("namespaces.inject.sluice.dev")
                .withNewClientConfig()
                .withNewService()
                .withName("sluice-operator")
                .withNamespace(NS)
                .withPort(9443)
                .endService()
                .endClientConfig()
                .endWebhook()
                .addNewWebhook()
                .withName("pods.inject.sluice.dev")
                .withNewClientConfig()
                .withNewService()
                .withName("sluice-operator")
                .withNamespace(NS)
                .withPort(9443)
                .endService()
                .endClientConfig()
                .endWebhook()
                .build())
        .create();
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.stop(0);
    }
    cluster.close();
  }

  CertificateManager.Settings settings(boolean external) {
    return new CertificateManager.Settings(
        NS,
        "sluice-operator-tls",
        "sluice-operator",
        "sluice-sidecar-injector",
        Duration.ofDays(3650),
        Duration.ofDays(365),
        external,
        List.of());
  }

  /** The serial of the certificate a client trusting {@code bundle} is shown. */
  BigInteger handshake(String bundle) throws Exception {
    SSLContext trust = Certificates.trusting(bundle);
    var url =
        new java.net.URL(
            "https://sluice-operator.sluice-system.svc:" + server.getAddress().getPort() + "/");
    // Resolve the Service name to loopback for the test, keeping it for hostname verification.
    HttpsURLConnection connection =
        (HttpsURLConnection)
            new java.net.URL("https://localhost:" + server.getAddress().getPort() + "/")
                .openConnection();
    connection.setSSLSocketFactory(trust.getSocketFactory());
    connection.setHostnameVerifier(
        (host, session) -> {
          try {
            X509Certificate peer = (X509Certificate) session.getPeerCertificates()[0];
            return peer.getSubjectAlternativeNames().stream()
                .anyMatch(n -> n.get(1).equals(url.getHost()));
          } catch (Exception e) {
            return false;
          }
        });
    connection.connect();
    BigInteger serial = ((X509Certificate) connection.getServerCertificates()[0]).getSerialNumber();
    connection.disconnect();
    return serial;
  }

  void serve(CertificateManager certs) throws Exception {
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    server.setHttpsConfigurator(new HttpsConfigurator(certs.serverContext()));
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.start();
  }

  String caBundleOf(int webhook) {
    MutatingWebhookConfiguration config =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName("sluice-sidecar-injector")
            .get();
    String encoded = config.getWebhooks().get(webhook).getClientConfig().getCaBundle();
    return encoded == null
        ? null
        : new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
  }

  @Test
  void createsSharesPatchesAndRotatesWithoutRestart() throws Exception {
    // Issued 300 days ago (TLS checks validity against the real clock, so the test goes back in
    // time rather than forward): valid now, with less than a third of its year left.
    clock = new MutableClock(Instant.now().minus(Duration.ofDays(300)));
    CertificateManager first = CertificateManager.start(client, settings(false), clock);
    Secret secret = client.secrets().inNamespace(NS).withName("sluice-operator-tls").get();
    assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(secret.getData()).containsKeys("tls.crt", "tls.key", "ca.crt", "ca.key");
    assertThat(caBundleOf(0)).isEqualTo(first.caBundle());
    assertThat(caBundleOf(1)).isEqualTo(first.caBundle());

    // A second replica uses the same material.
    CertificateManager second = CertificateManager.start(client, settings(false), clock);
    assertThat(second.caBundle()).isEqualTo(first.caBundle());

    serve(first);
    BigInteger before = handshake(first.caBundle());

    // Today: the serving certificate has less than a third of its life left.
    clock.advance(Duration.ofDays(300));
    first.check();
    BigInteger after = handshake(first.caBundle());
    assertThat(after).as("the running server presents the new certificate").isNotEqualTo(before);
    assertThat(first.caBundle()).as("same CA").isEqualTo(second.caBundle());
    // The second replica picks up what the first wrote and presents the same certificate.
    second.check();
    server.stop(0);
    serve(second);
    assertThat(handshake(second.caBundle()))
        .as("the second replica presents the certificate the first rotated to")
        .isEqualTo(after);
  }

  @Test
  void aCaRotationKeepsTheOldCaTrustedWhileItIsValid() throws Exception {
    clock = new MutableClock(Instant.now().minus(Duration.ofDays(2600)));
    CertificateManager certs = CertificateManager.start(client, settings(false), clock);
    String oldBundle = certs.caBundle();
    assertThat(Certificates.bundle(oldBundle)).hasSize(1);
    String[] published = new String[1];
    certs.onBundle(b -> published[0] = b);

    clock.advance(Duration.ofDays(2600)); // today: under a third of the CA's ten years left
    certs.check();
    assertThat(Certificates.bundle(certs.caBundle()))
        .hasSize(2)
        .contains(Certificates.bundle(oldBundle).get(0));
    assertThat(published[0]).isEqualTo(certs.caBundle());
    assertThat(caBundleOf(0)).isEqualTo(certs.caBundle());
    serve(certs);
    handshake(certs.caBundle());
  }

  @Test
  void externalMaterialIsOnlyReadAndMustBeComplete() {
    assertThatThrownBy(() -> CertificateManager.start(client, settings(true), clock))
        .hasMessage(
            "Secret sluice-system/sluice-operator-tls lacks tls.crt, tls.key or ca.crt (expected:"
                + " the Secret cert-manager's Certificate writes)");
    assertThat(client.secrets().inNamespace(NS).withName("sluice-operator-tls").get()).isNull();
  }
}
