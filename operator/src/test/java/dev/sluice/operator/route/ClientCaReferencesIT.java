package dev.sluice.operator.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.certs.Certificates;
import dev.sluice.operator.status.Conditions;
import dev.sluice.operator.testing.MutableClock;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.operator.testing.SimulatedSidecar;
import dev.sluice.sidecar.config.ClientValidation;
import dev.sluice.sidecar.config.ContractVersions;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Invariant: a listener's client CA ConfigMap reaches its sidecars as {@code caPem}; a change of it
 * rolls out, its deletion leaves the route out with {@code ResolvedRefs=False} naming the
 * reference, its return recovers the same revision — and the operator lists and watches only the
 * ConfigMaps routes name, each by {@code metadata.name}.
 */
class ClientCaReferencesIT {
  static final String NS = "shop";
  static final String AGENT = "sluice-operator-client-ca-it";
  static final Instant NOW = Instant.now();
  static final String CA_ONE =
      Certificates.authority("clients-one", NOW, Duration.ofDays(1)).certificatePem();
  static final String CA_TWO =
      Certificates.authority("clients-two", NOW, Duration.ofDays(1)).certificatePem();

  static Condition condition(KubernetesClient client, String type) {
    ProxyRoute route = client.resources(ProxyRoute.class).inNamespace(NS).withName("web").get();
    ProxyRouteStatus status = route == null ? null : route.getStatus();
    return status == null ? null : Conditions.find(status.conditions(), type);
  }

  /** The client validation of the config the sidecar runs (null: none, or no listener). */
  static ClientValidation validation(SimulatedSidecar sidecar) {
    SidecarConfig config = sidecar.appliedConfig();
    if (config == null || config.listeners().isEmpty()) {
      return null;
    }
    return config.listeners().get(0).tls().clientValidation();
  }

  @Test
  void theCaConfigMapRollsOutAndItsAbsenceIsNamed() throws Exception {
    try (EmbeddedKubernetes cluster = new EmbeddedKubernetes();
        KubernetesClient operator = cluster.clientAs(AGENT);
        OperatorHarness harness =
            new OperatorHarness(
                cluster, new MutableClock(Instant.now()), operator, UnaryOperator.identity())) {
      KubernetesClient client = cluster.client();
      cluster.namespace(NS);
      client.resource(Objects.tlsSecret("web-tls", "web.shop")).create();
      client.resource(Objects.configMap("client-ca", Map.of("ca.crt", CA_ONE))).create();
      client.resource(Objects.configMap("unrelated", Map.of("setting", "on"))).create();
      harness.start();
      Pod pod = client.resource(Objects.sidecarPod(NS, "web-1", Map.of("app", "web"))).create();
      // A sidecar that speaks the contract client certificates need (4).
      SimulatedSidecar sidecar = harness.sidecar(pod, ContractVersions.CURRENT);
      client
          .resource(
              Objects.route(
                  """
                  apiVersion: sluice.dev/v1alpha1
                  kind: ProxyRoute
                  metadata: {name: web, namespace: shop}
                  spec:
                    selector: {matchLabels: {app: web}}
                    listener:
                      port: 8443
                      protocol: HTTPS
                      tls:
                        secretName: web-tls
                        clientCertificates:
                          caCertificateRefs: [{name: client-ca}]
                          identityHeader: X-Client-Cert
                    rules: [{backend: {endpoints: [10.0.0.1:80]}}]
                  """))
          .create();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ReferencedSecretsIT.ready(client) && validation(sidecar) != null);
      String first = sidecar.applied();
      assertThat(validation(sidecar))
          .isEqualTo(
              new ClientValidation(
                  CA_ONE, null, ClientValidation.Mode.ALLOW_VALID_ONLY, "X-Client-Cert"));

      // A new CA in the same ConfigMap: a new revision, rolled out.
      client.resource(Objects.configMap("client-ca", Map.of("ca.crt", CA_TWO))).update();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  ReferencedSecretsIT.ready(client)
                      && validation(sidecar) != null
                      && CA_TWO.equals(validation(sidecar).caPem()));
      assertThat(sidecar.applied()).isNotEqualTo(first);

      // Deleted: the route is left out whole, the reference named.
      client.resource(Objects.configMap("client-ca", Map.of())).delete();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                Condition c = condition(client, "ResolvedRefs");
                return c != null && "False".equals(c.getStatus());
              });
      Condition unresolved = condition(client, "ResolvedRefs");
      assertThat(unresolved.getReason()).isEqualTo(Reasons.INVALID_CA_CERTIFICATE_REF);
      assertThat(unresolved.getMessage())
          .isEqualTo(
              "spec.listener.tls.clientCertificates.caCertificateRefs[0]: \"ConfigMap client-ca\""
                  + " (expected: a ConfigMap in namespace shop whose ca.crt holds PEM CA"
                  + " certificates)");
      assertThat(ReferencedSecretsIT.ready(client)).isFalse();
      await()
          .atMost(Duration.ofSeconds(30))
          .alias("the sidecar is never left serving the listener without its CA")
          .until(() -> sidecar.appliedConfig().listeners().isEmpty());

      // Back as it first was: resolved again, the very first revision.
      client.resource(Objects.configMap("client-ca", Map.of("ca.crt", CA_ONE))).create();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ReferencedSecretsIT.ready(client) && first.equals(sidecar.applied()));
      assertThat(validation(sidecar).caPem()).isEqualTo(CA_ONE);

      List<String> configMapReads = ReferencedSecretsIT.reads(cluster, AGENT, "configmaps");
      assertThat(configMapReads)
          .as("every list and watch of ConfigMaps is narrowed to one name")
          .isNotEmpty()
          .allMatch(p -> p.contains("fieldSelector=metadata.name="));
      assertThat(configMapReads).anyMatch(p -> p.contains("fieldSelector=metadata.name=client-ca"));
      assertThat(configMapReads).noneMatch(p -> p.contains("unrelated"));
    }
  }
}
