package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.OperatorRuntime;
import dev.sluice.operator.OperatorSettings;
import dev.sluice.operator.certs.Certificates;
import dev.sluice.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The operator against a real k3s API server (Testcontainers; {@code -Pk3s}): the CRDs' CEL rules
 * refuse what the operator's own checks mirror, and status flows — written through the status
 * subresource with a JSON Patch — behave on a real server as on the embedded one. Without a Docker
 * engine the whole class reports that it skipped, and why.
 */
class K3sIT {
  static final String IMAGE = "rancher/k3s:v1.30.4-k3s1";
  static final String SKIPPED =
      "k3s suite SKIPPED: no Docker engine reachable (Testcontainers found none); it runs the"
          + " operator against a real k3s cluster where Docker exists";
  static K3sContainer k3s;
  static KubernetesClient client;

  @org.junit.jupiter.api.BeforeEach
  void needsTheCluster() {
    Assumptions.assumeTrue(client != null, SKIPPED);
  }

  @BeforeAll
  static void cluster() throws Exception {
    boolean docker;
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      docker = false;
    }
    if (!docker) {
      System.out.println("[k3s] " + SKIPPED);
      return; // every test reports itself skipped, with the reason
    }
    k3s = new K3sContainer(DockerImageName.parse(IMAGE));
    k3s.start();
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml()))
            .build();
    for (String file :
        List.of("proxyroutes.sluice.dev-v1.yml", "offloadagents.sluice.dev-v1.yml")) {
      try (InputStream in =
          K3sIT.class.getClassLoader().getResourceAsStream("META-INF/fabric8/" + file)) {
        CustomResourceDefinition crd =
            client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(crd.getMetadata().getName())
            .waitUntilCondition(
                c ->
                    c.getStatus() != null
                        && c.getStatus().getConditions().stream()
                            .anyMatch(
                                x ->
                                    x.getType().equals("Established")
                                        && x.getStatus().equals("True")),
                60,
                TimeUnit.SECONDS);
      }
    }
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build())
        .create();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (k3s != null) {
      k3s.stop();
    }
  }

  static ProxyRoute route(String yaml) {
    return Serialization.unmarshal(yaml, ProxyRoute.class);
  }

  @Test
  void theCelRulesRefuseWhatTheOperatorsChecksMirror() {
    assertThatThrownBy(
            () ->
                client
                    .resource(
                        route(
                            """
                            apiVersion: sluice.dev/v1alpha1
                            kind: ProxyRoute
                            metadata: {name: broken, namespace: shop}
                            spec:
                              selector: {matchLabels: {app: web}}
                              listener: {port: 8080}
                              rules: [{backend: {endpoints: [10.0.0.1:80]}}]
                              rollout: {batchSize: "0%"}
                            """))
                    .create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining(
            "rollout.batchSize must be a number >= 1 or a percentage from 1% to 100%");
  }

  @Test
  void statusFlowsOnARealApiServer() throws Exception {
    Instant now = Instant.now();
    Certificates.Pair ca = Certificates.authority("k3s-test-ca", now, Duration.ofDays(1));
    try (OperatorRuntime operator =
        OperatorRuntime.start(
            client,
            OperatorSettings.defaults()
                .onLoopback()
                .withNamespaces(Set.of("shop"))
                .withLeaderElection(false)
                .withHold(Duration.ofSeconds(30))
                .withTls(
                    Certificates.serverContext(
                        Certificates.serving(
                            ca, List.of("localhost"), now, Duration.ofDays(1)))))) {
      client
          .resource(
              route(
                  """
                  apiVersion: sluice.dev/v1alpha1
                  kind: ProxyRoute
                  metadata: {name: web, namespace: shop}
                  spec:
                    selector: {matchLabels: {app: web}}
                    listener: {port: 8080}
                    rules: [{backend: {endpoints: [10.0.0.1:80]}, offload: [{agent: waf}]}]
                  """))
          .create();
      awaitCondition("ResolvedRefs", "False", "AgentNotFound");
      assertThat(condition("Reconciling").getStatus()).isEqualTo("True");
      client
          .resource(
              Serialization.unmarshal(
                  """
                  apiVersion: sluice.dev/v1alpha1
                  kind: OffloadAgent
                  metadata: {name: waf, namespace: shop}
                  spec:
                    endpoints: [10.0.0.2:12345]
                    timeouts: {processing: 300ms}
                    messages: [{name: check, args: [{name: src, value: src}]}]
                  """,
                  OffloadAgent.class))
          .create();
      awaitCondition("ResolvedRefs", "True", "Resolved");
      // No pod runs a sidecar here (the images are not in the cluster): nothing to roll out.
      awaitCondition("Programmed", "False", "NoPodsSelected");
      assertThat(get().getStatus().observedGeneration())
          .isEqualTo(get().getMetadata().getGeneration());
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                OffloadAgent a =
                    client.resources(OffloadAgent.class).inNamespace("shop").withName("waf").get();
                return a.getStatus() != null
                    && Conditions.isTrue(a.getStatus().conditions(), "ResolvedRefs")
                    && Integer.valueOf(1).equals(a.getStatus().routes());
              });
      client.resources(ProxyRoute.class).inNamespace("shop").withName("web").delete();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> get() == null);
    }
  }

  static ProxyRoute get() {
    return client.resources(ProxyRoute.class).inNamespace("shop").withName("web").get();
  }

  static Condition condition(String type) {
    ProxyRoute r = get();
    return r == null || r.getStatus() == null
        ? null
        : Conditions.find(r.getStatus().conditions(), type);
  }

  static void awaitCondition(String type, String status, String reason) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              Condition c = condition(type);
              return c != null && status.equals(c.getStatus()) && reason.equals(c.getReason());
            });
  }
}
