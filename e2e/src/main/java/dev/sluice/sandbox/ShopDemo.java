package dev.sluice.sandbox;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.api.v1alpha1.RolloutStatus;
import dev.sluice.operator.certs.Certificates;
import dev.sluice.testing.kubernetes.ClusterFixtures;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The shop example on the sandbox's cluster: demo backends and SPOE agents on their own loopback
 * addresses behind Services and EndpointSlices, a TLS Secret for shop.example.com, the resources of
 * examples/shop applied, and storefront pods admitted through the operator's webhook whose injected
 * sidecars run for real.
 */
final class ShopDemo implements AutoCloseable {
  static final String NS = "shop";
  static final int PODS = 4;

  private final SandboxCluster cluster;
  private final KubernetesClient client;
  private final Narration narration;
  private final SandboxNetwork network;
  private final ShopRoute route;
  private final List<AutoCloseable> servers = new ArrayList<>();

  @SuppressWarnings("NullAway.Init") // set by startBackendsAndAgents(), the shop's first step
  private DemoAgents agents;

  @SuppressWarnings("NullAway.Init") // set by startBackendsAndAgents(), the shop's first step
  private StorefrontReplicas storefront;

  @SuppressWarnings("NullAway.Init") // set by startBackendsAndAgents(), the shop's first step
  private Certificates.Pair shopCa;

  @SuppressWarnings("NullAway.Init") // set by runPods(); stopPods() checks
  private PodRunner pods;

  ShopDemo(SandboxCluster cluster, Narration narration, SandboxNetwork network) {
    this.network = network;
    this.cluster = cluster;
    this.client = cluster.client();
    this.narration = narration;
    this.route = new ShopRoute(client);
  }

  /**
   * Step 3: the backends and agents with their Services, and the shop's TLS Secret; the storefront
   * starts with one replica.
   */
  void startBackendsAndAgents() throws IOException, InterruptedException {
    storefront = new StorefrontReplicas(client, network);
    servers.add(storefront);
    servers.add(new DemoBackends(new InetSocketAddress(network.service(2), 8081)));
    agents =
        new DemoAgents(
            new InetSocketAddress(network.service(3), 12345),
            new InetSocketAddress(network.service(4), 12345));
    servers.add(agents);
    service("upload-store", 8081, network.service(2));
    service("waf-agent", 12345, network.service(3));
    service("iprep-agent", 12345, network.service(4));
    createTlsSecret();
    narration.say(
        "storefront (HTTP/1.1) "
            + network.service(1)
            + ":8080, upload-store (h2c) "
            + network.service(2)
            + ":8081");
    narration.say(
        "waf agent (blocks paths with \"attack\") "
            + network.service(3)
            + ":12345, iprep agent "
            + network.service(4)
            + ":12345");
    narration.say("Secret shop/shop-tls for shop.example.com");
  }

  /** A Service and its EndpointSlice: {@code name}:{@code port} is {@code ip}:{@code port}. */
  private void service(String name, int port, String ip) {
    client.resource(ClusterFixtures.service(NS, name, port)).create();
    client.resource(ClusterFixtures.endpointSlice(NS, name, port, List.of(ip))).create();
  }

  /** shop-tls, for shop.example.com, issued by a demo CA that {@link #trafficClient} trusts. */
  private void createTlsSecret() {
    Instant now = Instant.now();
    shopCa = Certificates.authority("shop-demo-ca", now, Duration.ofDays(30));
    Certificates.Pair shopCert =
        Certificates.serving(
            shopCa, List.of("shop.example.com", "*.shop.example.com"), now, Duration.ofDays(30));
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("shop-tls")
                .withNamespace(NS)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToStringData("tls.crt", shopCert.certificatePem())
                .addToStringData("tls.key", shopCert.privateKeyPem())
                .build())
        .create();
  }

  /** Step 4: every YAML file in {@code examples}, in name order, created as kubectl would. */
  void apply(Path examples) throws IOException {
    try (Stream<Path> files = Files.list(examples)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          for (HasMetadata object : client.load(in).items()) {
            client.resource(object).create();
            narration.say("applied " + object.getKind() + " " + object.getMetadata().getName());
          }
        }
      }
    }
  }

  /**
   * Step 5: {@link #PODS} storefront pods through the webhook, their sidecars started, then the
   * route Ready on all of them. The pods' files go to {@code work}.
   */
  void runPods(Path work) throws Exception {
    pods = new PodRunner(cluster.kubernetes(), cluster.webhook(), cluster::caBundle, work, network);
    for (int i = 1; i <= PODS; i++) {
      PodRunner.RunningPod pod = pods.run(storefrontPod("storefront-" + i));
      narration.check(
          pod.sidecar() != null,
          "pod shop/" + pod.name() + " at " + pod.ip() + ": sidecar injected and started");
    }
    narration.check(
        route.awaitReady(Duration.ofSeconds(90)),
        "ProxyRoute shop is Ready (every pod applied it)");
    ProxyRouteStatus status = route.get().getStatus();
    RolloutStatus rollout =
        requireNonNull(status.rollout(), "the operator writes it with the status");
    narration.say(
        "revision "
            + status.revision()
            + " on "
            + rollout.updatedPods()
            + " of "
            + rollout.selectedPods()
            + " pods");
  }

  private static Pod storefrontPod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .addToLabels("app", "storefront")
        .withUid(UUID.randomUUID().toString())
        .endMetadata()
        .withNewSpec()
        .withServiceAccountName("default")
        .addNewContainer()
        .withName("app")
        .withImage("shop/storefront:2.1")
        .endContainer()
        .endSpec()
        .build();
  }

  /** An HTTPS client for the shop's sidecars, trusting the shop's certificate. */
  HttpClient trafficClient() {
    return ShopRequests.client(shopCa.certificatePem());
  }

  ShopRoute route() {
    return route;
  }

  DemoAgents agents() {
    return agents;
  }

  /** The storefront's replicas behind its Service, to scale and restart. */
  StorefrontReplicas storefront() {
    return storefront;
  }

  PodRunner podRunner() {
    return pods;
  }

  List<PodRunner.RunningPod> pods() {
    return pods.pods();
  }

  /** Stops the pods' sidecars (before the operator: they would keep polling a stopped one). */
  void stopPods() {
    if (pods != null) {
      pods.close();
    }
  }

  /** Stops the agents and backends, the last started first. */
  @Override
  public void close() {
    for (int i = servers.size() - 1; i >= 0; i--) {
      try {
        servers.get(i).close();
      } catch (Exception ignored) {
        // keep closing the rest
      }
    }
  }
}
