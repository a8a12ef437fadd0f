package dev.sluice.sidecar.downstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.testing.Curl;
import dev.sluice.sidecar.testing.LogCapture;
import dev.sluice.sidecar.testing.ReceivedRequest;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.testing.TestCertificates;
import dev.sluice.sidecar.testing.TestTls;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant: on a listener that validates client certificates, only a certificate the configured CA
 * signed and valid now gets a connection under AllowValidOnly (the others fail the handshake,
 * counted by reason), every client gets one under AllowInsecureFallback; the verified identity
 * reaches the upstream in the identity header on every request (HTTP/1.1 and HTTP/2 by ALPN), and
 * what a client sends in that header never does, with or without a certificate.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MutualTlsIT {
  static final String HEADER = "X-Client-Cert";
  static final String FORGED = HEADER + ": Hash=forged;Subject=\"CN=admin\"";

  static Path dir;
  static TestCertificates.Issued ca;
  static TestCertificates.Issued otherCa;
  static TestCertificates.Issued good;
  static RecordingUpstream upstream;
  static RunningSidecar sidecar;

  /** Each client's certificate and key files; none for a client without one. */
  enum Client {
    GOOD,
    MISSING,
    EXPIRED,
    WRONG_CA
  }

  static final java.util.Map<Client, Path[]> FILES = new java.util.EnumMap<>(Client.class);

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("mtls-it");
    ca = TestCertificates.ca("sluice test client CA");
    otherCa = TestCertificates.ca("another CA");
    good =
        TestCertificates.client(
            // Issued in this order; RFC 2253 writes the last RDN first: CN=client-a,O=shop.
            ca, "O=shop,CN=client-a", "spiffe://shop.example/ns/shop/sa/web", "web.shop.example");
    Instant now = Instant.now();
    TestCertificates.Issued expired =
        TestCertificates.client(
            ca,
            "O=shop,CN=client-old",
            "spiffe://shop.example/old",
            "old.shop.example",
            now.minus(Duration.ofDays(3)),
            now.minus(Duration.ofDays(1)));
    TestCertificates.Issued stranger =
        TestCertificates.client(
            otherCa, "O=shop,CN=client-a", "spiffe://elsewhere/x", "x.elsewhere.example");
    FILES.put(Client.GOOD, good.write(dir, "good"));
    FILES.put(Client.EXPIRED, expired.write(dir, "expired"));
    FILES.put(Client.WRONG_CA, stranger.write(dir, "stranger"));
    Files.writeString(dir.resolve("ca.crt"), ca.certificatePem());
    upstream = RecordingUpstream.http1();
    sidecar = new RunningSidecar(config("1", dir.resolve("ca.crt").toString()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** Two HTTPS listeners, strict and lenient, validating against the CA in {@code caFile}. */
  static String config(String revision, String caFile) {
    String tls =
        "certificateFile: "
            + TestTls.certificateFile()
            + ", privateKeyFile: "
            + TestTls.privateKeyFile()
            + ", clientValidation: {caFile: "
            + caFile
            + ", identityHeader: "
            + HEADER;
    return """
        version: 4
        revision: "%s"
        admin: {address: 127.0.0.1:0}
        listeners:
          - {name: strict, address: 127.0.0.1:0, protocol: HTTPS, tls: {%s}}}
          - {name: lenient, address: 127.0.0.1:0, protocol: HTTPS, tls: {%s, mode: AllowInsecureFallback}}}
        rules:
          - {name: strict, listener: strict, upstream: {endpoints: [%s]}}
          - {name: lenient, listener: lenient, upstream: {endpoints: [%s]}}
        """
        .formatted(revision, tls, tls, upstream.address(), upstream.address());
  }

  static String url(String listener) {
    return "https://127.0.0.1:"
        + sidecar.sidecar().listenerAddresses().get(listener).getPort()
        + "/mtls";
  }

  static String identity(TestCertificates.Issued issued, String uri, String dns) throws Exception {
    String hash =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(issued.certificate().getEncoded()));
    return "Hash=" + hash + ";Subject=\"CN=client-a,O=shop\";URI=" + uri + ";DNS=" + dns;
  }

  static Curl.Result curl(String listener, Client client, boolean http2, String id)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("-k", http2 ? "--http2" : "--http1.1"));
    args.addAll(List.of("-H", FORGED, "-H", RecordingUpstream.TEST_ID + ": " + id));
    Path[] files = FILES.get(client);
    if (files != null) {
      args.addAll(List.of("--cert", files[0].toString(), "--key", files[1].toString()));
    }
    return Curl.get(url(listener), args.toArray(String[]::new));
  }

  static double count(String listener, String outcome) {
    Counter counter =
        sidecar
            .sidecar()
            .metrics()
            .registry()
            .find("sluice_downstream_client_certificates")
            .tags("listener", listener, "outcome", outcome)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  static Stream<Arguments> clients() {
    return Stream.of(Client.values())
        .flatMap(c -> Stream.of(Arguments.of(c, false), Arguments.of(c, true)));
  }

  @ParameterizedTest(name = "AllowValidOnly, {0} certificate, http2={1}")
  @MethodSource("clients")
  void allowValidOnlyServesOnlyAValidCertificateAndForwardsItsIdentity(Client client, boolean h2)
      throws Exception {
    String id = UUID.randomUUID().toString();
    String outcome =
        switch (client) {
          case GOOD -> "verified";
          case MISSING -> "no_certificate";
          case EXPIRED -> "expired";
          case WRONG_CA -> "untrusted";
        };
    double before = count("strict", outcome);
    Curl.Result result = curl("strict", client, h2, id);
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> count("strict", outcome) == before + 1);
    ReceivedRequest received = upstream.received(id);
    if (client == Client.GOOD) {
      assertThat(result.status()).as(result.stderr()).isEqualTo(200);
      assertThat(received.headerLines(HEADER))
          .containsExactly(
              identity(good, "spiffe://shop.example/ns/shop/sa/web", "web.shop.example"));
    } else {
      assertThat(result.status()).as("the handshake failed: %s", result.stderr()).isZero();
      assertThat(received).as("nothing reached the upstream").isNull();
    }
  }

  @ParameterizedTest(name = "AllowInsecureFallback, {0} certificate, http2={1}")
  @MethodSource("clients")
  void allowInsecureFallbackServesEveryClientAndForwardsOnlyAVerifiedIdentity(
      Client client, boolean h2) throws Exception {
    String id = UUID.randomUUID().toString();
    Curl.Result result = curl("lenient", client, h2, id);
    assertThat(result.status()).as(result.stderr()).isEqualTo(200);
    ReceivedRequest received = upstream.received(id);
    assertThat(received).isNotNull();
    if (client == Client.GOOD) {
      assertThat(received.headerLines(HEADER))
          .containsExactly(
              identity(good, "spiffe://shop.example/ns/shop/sa/web", "web.shop.example"));
    } else {
      assertThat(received.headerLines(HEADER)).as("the forged header is stripped").isEmpty();
    }
  }

  @Test
  void aRefusedHandshakeIsLoggedWithItsReason() throws Exception {
    try (LogCapture log = new LogCapture(ClientCertificates.class, Level.INFO)) {
      double before = count("strict", "expired");
      curl("strict", Client.EXPIRED, false, UUID.randomUUID().toString());
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> count("strict", "expired") == before + 1);
      assertThat(log.lines(ClientCertificates.class, Level.INFO))
          .anySatisfy(
              line ->
                  assertThat(line)
                      .startsWith("listener strict refused the TLS handshake of /127.0.0.1:")
                      .contains("a client certificate outside its validity period")
                      .contains("expected: a client certificate signed by the listener's CA"));
    }
  }

  @Test
  void theIdentityGoesWithEveryRequestOfAConnectionOnBothProtocolsOfTheJdkClient()
      throws Exception {
    for (HttpClient.Version version : HttpClient.Version.values()) {
      HttpClient client =
          HttpClient.newBuilder().version(version).sslContext(good.jdkClient()).build();
      {
        for (int i = 0; i < 3; i++) {
          String id = UUID.randomUUID().toString();
          HttpResponse<String> response =
              client.send(
                  HttpRequest.newBuilder(URI.create(url("strict")))
                      .header(HEADER, "Hash=forged-" + i)
                      .header(RecordingUpstream.TEST_ID, id)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.version()).isEqualTo(version);
          assertThat(upstream.received(id).headerLines(HEADER))
              .containsExactly(
                  identity(good, "spiffe://shop.example/ns/shop/sa/web", "web.shop.example"));
        }
      }
    }
  }

  @Test
  void aNewCaIsAReloadThatKeepsOpenConnectionsServing() throws Exception {
    TestCertificates.Issued nextCa = TestCertificates.ca("next client CA");
    TestCertificates.Issued next =
        TestCertificates.client(
            nextCa, "O=shop,CN=client-a", "spiffe://shop.example/next", "next.shop.example");
    Path nextCaFile = dir.resolve("next-ca.crt");
    Files.writeString(nextCaFile, nextCa.certificatePem());
    HttpClient before =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .sslContext(good.jdkClient())
            .build();
    HttpClient after =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .sslContext(next.jdkClient())
            .build();
    try {
      assertThat(get(before).statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> get(after)).as("the next CA is not trusted yet").isNotNull();
      SidecarReport report =
          sidecar
              .sidecar()
              .reload(
                  () -> SidecarConfigCodec.readYaml(config("2", nextCaFile.toString()), "rotated"))
              .get(30, TimeUnit.SECONDS);
      assertThat(report.outcome()).isEqualTo(SidecarReport.Outcome.Applied);
      assertThat(get(after).statusCode()).as("a new connection, the new CA").isEqualTo(200);
      assertThat(get(before).statusCode())
          .as("the connection verified before the reload still serves")
          .isEqualTo(200);
      double refused = count("strict", "untrusted");
      Curl.Result old = curl("strict", Client.GOOD, true, UUID.randomUUID().toString());
      assertThat(old.status()).as("a new connection with the old CA's certificate").isZero();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> count("strict", "untrusted") == refused + 1);
    } finally {
      SidecarReport back =
          sidecar
              .sidecar()
              .reload(
                  () ->
                      SidecarConfigCodec.readYaml(
                          config("3", dir.resolve("ca.crt").toString()), "back"))
              .get(30, TimeUnit.SECONDS);
      assertThat(back.outcome()).isEqualTo(SidecarReport.Outcome.Applied);
    }
  }

  static HttpResponse<String> get(HttpClient client) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url("strict"))).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
