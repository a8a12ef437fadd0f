package dev.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.certs.CertificateManager;
import dev.sluice.operator.configservice.RevisionStore;
import dev.sluice.operator.metrics.OperatorMetrics;
import dev.sluice.operator.pods.AgentHealthRecord;
import dev.sluice.operator.pods.PodRecord;
import dev.sluice.operator.pods.PodWriter;
import dev.sluice.operator.render.Renderer;
import dev.sluice.operator.route.NamespaceSync;
import dev.sluice.operator.status.EventRecorder;
import dev.sluice.operator.status.StatusWriter;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.testing.kubernetes.ClusterFixtures;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * A cluster as the operator leaves it, built by the operator's own code on the embedded API: the
 * shipped examples/shop resources and their Services, three storefront pods the webhook injected,
 * {@link NamespaceSync} passes (render, store the revision Secrets, assign, write status) and
 * {@link PodWriter} recording what the sidecars report; the install in sluice-system from
 * operator/deploy (RBAC, webhook) with the TLS Secret and caBundle the {@link CertificateManager}
 * writes. Time is a fixed clock the test moves.
 */
final class ShopCluster implements AutoCloseable {
  static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath();
  static final String NS = "shop";
  static final String OPERATOR_NS = "sluice-system";
  static final Instant START = Instant.parse("2026-12-01T10:00:00Z");
  static final List<String> PODS = List.of("storefront-0", "storefront-1", "storefront-2");
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();

  final EmbeddedKubernetes cluster;
  final KubernetesClient client;
  private final Path kubeconfig;
  private Instant now = START;
  private final NamespaceSync sync;
  private final PodWriter pods;

  ShopCluster(Path dir, String minorVersion) throws IOException {
    cluster =
        new EmbeddedKubernetes(
            new VersionInfo.Builder().withMajor("1").withMinor(minorVersion).build());
    client = cluster.client();
    kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"));
    pods = new PodWriter(client);
    sync =
        new NamespaceSync(
            new RevisionStore(client),
            pods,
            new StatusWriter(client),
            new EventRecorder(client),
            Renderer.Defaults.STANDARD,
            new Clock() {
              @Override
              public ZoneOffset getZone() {
                return ZoneOffset.UTC;
              }

              @Override
              public Clock withZone(java.time.ZoneId zone) {
                return this;
              }

              @Override
              public Instant instant() {
                return now;
              }
            },
            OperatorMetrics.none(),
            n -> {},
            null);
  }

  Clock clock() {
    return Clock.fixed(now, ZoneOffset.UTC);
  }

  void advance(Duration d) {
    now = now.plus(d);
  }

  /** {@code kubectl sluice} against this cluster at the current time. */
  Run sluice(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--kubeconfig";
    all[args.length + 1] = kubeconfig.toString();
    return Run.of(clock(), all);
  }

  /** examples/shop applied, its Services and TLS Secret, three injected storefront pods. */
  ShopCluster shop() throws IOException {
    cluster.namespace(NS, Map.of(Labels.INJECT, Labels.INJECT_NAMESPACE_ENABLED));
    service("upload-store", 8081, List.of("10.1.0.11", "10.1.0.12"));
    service("storefront", 8080, List.of("10.1.0.21"));
    service("waf-agent", 12345, List.of("10.1.0.31"));
    service("iprep-agent", 12345, List.of("10.1.0.41", "10.1.0.42"));
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("shop-tls")
                .withNamespace(NS)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToStringData(
                    "tls.crt", "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n")
                .addToStringData(
                    "tls.key", "-----BEGIN PRIVATE KEY-----\nMIIBtest\n-----END PRIVATE KEY-----\n")
                .build())
        .create();
    for (OffloadAgent agent :
        read(ROOT.resolve("examples/shop/offloadagent-waf.yaml"), OffloadAgent.class)) {
      client.resource(agent).create();
    }
    for (ProxyRoute route :
        read(ROOT.resolve("examples/shop/proxyroute-shop.yaml"), ProxyRoute.class)) {
      client.resource(route).create();
    }
    for (String pod : PODS) {
      client
          .resource(ClusterFixtures.sidecarPod(NS, pod, Map.of("app", "storefront"), "0.1.0"))
          .create();
    }
    return this;
  }

  private void service(String name, int port, List<String> addresses) {
    client.resource(ClusterFixtures.service(NS, name, port)).create();
    client.resource(ClusterFixtures.endpointSlice(NS, name, port, addresses)).create();
  }

  /** One reconcile pass of the shop namespace, as the operator runs it. */
  boolean reconcile() {
    return sync.pass(NS, new ClusterView(client));
  }

  /**
   * Reconciles and lets every sidecar apply what it is assigned (drain figures included) until the
   * rollout is done, ten seconds a step.
   */
  void rollOut() {
    for (int step = 0; step < 20; step++) {
      boolean rolling = reconcile();
      boolean reported = false;
      for (String pod : PODS) {
        var rollout = record(pod).rollout();
        if (rollout.assigned() != null && !rollout.assigned().equals(rollout.applied())) {
          apply(pod, rollout.assigned());
          reported = true;
        }
      }
      if (!rolling && !reported) {
        return;
      }
      advance(Duration.ofSeconds(10));
    }
    throw new IllegalStateException("the rollout did not finish in 20 steps");
  }

  PodRecord record(String pod) {
    return PodRecord.of(client.pods().inNamespace(NS).withName(pod).get());
  }

  /** The pod's sidecar reports {@code revision} applied, the old generation drained. */
  void apply(String pod, String revision) {
    pods.report(
        NS,
        pod,
        new SidecarReport(
            revision,
            SidecarReport.Outcome.Applied,
            null,
            List.of(),
            42L,
            new SidecarReport.Drain(3, 1, 3, 0, 1250),
            now.toString()),
        now);
  }

  /** The pod's sidecar rejects {@code revision}. */
  void reject(String pod, String revision, String reason) {
    pods.report(
        NS,
        pod,
        new SidecarReport(
            revision,
            SidecarReport.Outcome.Rejected,
            reason,
            List.of(reason),
            null,
            null,
            now.toString()),
        now);
  }

  /** The pod's sidecar reports its agents' health. */
  void agentHealth(String pod, Map<String, AgentHealthRecord.Endpoints> health) {
    pods.agentHealth(NS, pod, health);
  }

  /** Edits the shop route as a user would (a new generation). */
  void editRoute(java.util.function.UnaryOperator<String> yaml) throws IOException {
    ProxyRoute current = client.resources(ProxyRoute.class).inNamespace(NS).withName("shop").get();
    String text = YAML.writeValueAsString(JSON.valueToTree(current));
    String edited = yaml.apply(text);
    if (edited.equals(text)) {
      throw new IllegalArgumentException("the edit changes nothing in:\n" + text);
    }
    ProxyRoute next = JSON.treeToValue(YAML.readTree(edited), ProxyRoute.class);
    client.resource(next).update();
  }

  /**
   * The operator's install in sluice-system: RBAC and webhook from operator/deploy, its Service
   * with a ready endpoint, and the TLS Secret and caBundle its certificate manager writes.
   */
  /** Gateway API's CRDs installed, as a cluster where HTTPRoutes can attach has them. */
  ShopCluster gatewayApi() throws IOException {
    cluster.installGatewayApi();
    return this;
  }

  ShopCluster operatorInstalled() throws IOException {
    cluster.namespace(OPERATOR_NS);
    for (String file : List.of("rbac.yaml", "webhook.yaml")) {
      try (InputStream in = Files.newInputStream(ROOT.resolve("operator/deploy").resolve(file))) {
        for (HasMetadata object : client.load(in).items()) {
          client.resource(object).create();
        }
      }
    }
    client.resource(serviceNamed("sluice-operator")).create();
    client
        .resource(
            ClusterFixtures.endpointSlice(
                OPERATOR_NS, "sluice-operator", 9443, List.of("10.0.0.5")))
        .create();
    CertificateManager.start(
        client,
        new CertificateManager.Settings(
            OPERATOR_NS,
            "sluice-operator-tls",
            "sluice-operator",
            "sluice-sidecar-injector",
            Duration.ofDays(3650),
            Duration.ofDays(365),
            false,
            List.of()),
        clock());
    return this;
  }

  private static io.fabric8.kubernetes.api.model.Service serviceNamed(String name) {
    return ClusterFixtures.service(OPERATOR_NS, name, 9443);
  }

  private static <T> List<T> read(Path file, Class<T> type) throws IOException {
    List<T> out = new java.util.ArrayList<>();
    try (var parser = YAML.getFactory().createParser(file.toFile())) {
      var docs = YAML.readValues(parser, com.fasterxml.jackson.databind.JsonNode.class);
      while (docs.hasNext()) {
        var doc = docs.next();
        if (doc != null && !doc.isEmpty()) {
          out.add(JSON.treeToValue(doc, type));
        }
      }
    }
    return out;
  }

  Pod pod(String name) {
    return client.pods().inNamespace(NS).withName(name).get();
  }

  @Override
  public void close() {
    cluster.close();
  }
}
