package dev.sluice.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.v1alpha1.ClientCertificates;
import dev.sluice.api.v1alpha1.ClientCertificates.CaCertificateRef;
import dev.sluice.api.v1alpha1.ConditionTypes;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.certs.Certificates;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A listener's client CA references resolved into one PEM bundle (every reference's certificates,
 * in order), and each way a reference can fail refused with its index, the value and what was
 * expected.
 */
class ClientCaCertificatesTest {
  static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  static final String CLIENTS =
      Certificates.authority("clients", NOW, Duration.ofDays(1)).certificatePem();
  static final String PARTNER =
      Certificates.authority("partner", NOW, Duration.ofDays(1)).certificatePem();

  static RenderInput input(
      Map<String, Map<String, String>> secrets, Map<String, Map<String, String>> configMaps) {
    return new RenderInput("shop", List.of(), Map.of(), Map.of(), secrets, configMaps);
  }

  static ClientCertificates refs(CaCertificateRef... refs) {
    return new ClientCertificates(List.of(refs), null, null);
  }

  static CaCertificateRef configMap(String name) {
    return new CaCertificateRef(null, name);
  }

  static CaCertificateRef secret(String name) {
    return new CaCertificateRef(CaCertificateRef.Kind.SECRET, name);
  }

  static List<String> subjects(String pem) throws Exception {
    List<String> out = new ArrayList<>();
    for (var c :
        CertificateFactory.getInstance("X.509")
            .generateCertificates(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
      out.add(((X509Certificate) c).getSubjectX500Principal().getName());
    }
    return out;
  }

  @Test
  void everyReferencesCertificatesInOrderWithoutTheBundlesComments() throws Exception {
    List<RenderProblem> problems = new ArrayList<>();
    String pem =
        ClientCaCertificates.resolve(
            input(
                Map.of("partner", Map.of("ca.crt", PARTNER)),
                Map.of(
                    "clients",
                    Map.of("ca.crt", "# our clients\r\n" + CLIENTS.replace("\n", "\r\n")))),
            "web",
            refs(configMap("clients"), secret("partner")),
            problems);
    assertThat(problems).isEmpty();
    assertThat(subjects(pem)).containsExactly("CN=clients", "CN=partner");
    assertThat(pem)
        .startsWith("-----BEGIN CERTIFICATE-----\n")
        .endsWith("-----END CERTIFICATE-----\n")
        .doesNotContain("#")
        .doesNotContain("\r");
  }

  @Test
  void aReformattedBundleRendersTheSame() {
    String oneLine =
        CLIENTS
            .replace("-----BEGIN CERTIFICATE-----\n", "-----BEGIN CERTIFICATE-----")
            .replace("\n-----END", "-----END")
            .replaceAll("(?<=[A-Za-z0-9+/=])\n(?=[A-Za-z0-9+/=])", "");
    assertThat(ClientCaCertificates.certificates(oneLine).blocks())
        .isEqualTo(ClientCaCertificates.certificates(CLIENTS).blocks())
        .hasSize(1);
  }

  static Stream<Arguments> refusals() {

    return Stream.of(
        Arguments.of(
            "a missing ConfigMap",
            configMap("ghost"),
            "ConfigMap ghost",
            "a ConfigMap in namespace shop whose ca.crt holds PEM CA certificates"),
        Arguments.of(
            "a missing Secret",
            secret("ghost"),
            "Secret ghost",
            "a Secret in namespace shop whose ca.crt holds PEM CA certificates"),
        Arguments.of(
            "a ConfigMap without ca.crt",
            configMap("other-key"),
            "ConfigMap other-key without ca.crt (keys: [ca.pem, tls.crt])",
            "a ConfigMap in namespace shop whose ca.crt holds PEM CA certificates"),
        Arguments.of(
            "a Secret without ca.crt",
            secret("tls-only"),
            "Secret tls-only without ca.crt (keys: [tls.crt])",
            "a Secret in namespace shop whose ca.crt holds PEM CA certificates"),
        Arguments.of(
            "text that is no PEM",
            configMap("text"),
            "ConfigMap text ca.crt: no PEM certificate",
            "a ConfigMap in namespace shop whose ca.crt holds PEM CA certificates"),
        Arguments.of(
            "a private key beside a certificate",
            configMap("with-key"),
            "ConfigMap with-key ca.crt: a PEM block that is not a certificate (PRIVATE KEY)",
            "a ConfigMap in namespace shop whose ca.crt holds PEM CA certificates"),
        Arguments.of(
            "a block that is not X.509",
            configMap("garbage"),
            "ConfigMap garbage ca.crt: certificate 2 does not parse as X.509",
            "a ConfigMap in namespace shop whose ca.crt holds PEM CA certificates"),
        Arguments.of(
            "a block that is not base64",
            configMap("not-base64"),
            "ConfigMap not-base64 ca.crt: a -----BEGIN CERTIFICATE----- block without a base64 body"
                + " and an -----END CERTIFICATE----- line",
            "a ConfigMap in namespace shop whose ca.crt holds PEM CA certificates"),
        Arguments.of(
            "a certificate cut short",
            configMap("truncated"),
            "ConfigMap truncated ca.crt: a -----BEGIN CERTIFICATE----- block without a base64 body"
                + " and an -----END CERTIFICATE----- line",
            "a ConfigMap in namespace shop whose ca.crt holds PEM CA certificates"));
  }

  static final Map<String, Map<String, String>> CONFIG_MAPS =
      Map.of(
          "clients", Map.of("ca.crt", CLIENTS),
          "other-key", Map.of("ca.pem", CLIENTS, "tls.crt", CLIENTS),
          "text", Map.of("ca.crt", "see the wiki"),
          "with-key",
              Map.of(
                  "ca.crt",
                  CLIENTS + "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"),
          "garbage",
              Map.of(
                  "ca.crt",
                  CLIENTS
                      + "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"),
          "not-base64",
              Map.of("ca.crt", "-----BEGIN CERTIFICATE-----\nMIIB!!!\n-----END CERTIFICATE-----\n"),
          "truncated", Map.of("ca.crt", CLIENTS.substring(0, CLIENTS.indexOf("-----END"))));

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void aReferenceThatDoesNotResolveLeavesTheRouteOutNamingItsIndex(
      String name, CaCertificateRef ref, String found, String expected) {
    List<RenderProblem> problems = new ArrayList<>();
    String pem =
        ClientCaCertificates.resolve(
            input(Map.of("tls-only", Map.of("tls.crt", CLIENTS)), CONFIG_MAPS),
            "web",
            refs(configMap("clients"), ref),
            problems);
    assertThat(pem).as("never served with fewer CAs than it names").isNull();
    assertThat(problems)
        .containsExactly(
            new RenderProblem(
                RenderProblem.Kind.PROXY_ROUTE,
                "web",
                ConditionTypes.RESOLVED_REFS,
                Reasons.INVALID_CA_CERTIFICATE_REF,
                "spec.listener.tls.clientCertificates.caCertificateRefs[1]",
                found,
                expected));
  }

  @Test
  void everyReferenceIsCheckedNotOnlyTheFirstThatFails() {
    List<RenderProblem> problems = new ArrayList<>();
    ClientCaCertificates.resolve(
        input(Map.of(), CONFIG_MAPS), "web", refs(configMap("ghost"), secret("ghost")), problems);
    assertThat(problems)
        .extracting(RenderProblem::field)
        .containsExactly(
            "spec.listener.tls.clientCertificates.caCertificateRefs[0]",
            "spec.listener.tls.clientCertificates.caCertificateRefs[1]");
  }
}
