package dev.sluice.sandbox;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.api.v1alpha1.RolloutStatus;
import dev.sluice.operator.certs.Certificates;
import dev.sluice.testing.kubernetes.ClusterFixtures;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The shop example on the sandbox's cluster: every file of examples/shop checked and applied, the
 * TLS Secret its README makes, in-process stand-ins for its Deployments' pods (demo backends and
 * SPOE agents on their own loopback addresses, in the EndpointSlices of the example's Services),
 * and pods made from the storefront Deployment's template, admitted through the operator's webhook,
 * whose injected sidecars run for real.
 */
final class ShopDemo implements AutoCloseable {
  static final String NS = "shop";
  static final int PODS = 4;

  /** The Secret examples/shop/README.md makes with {@code kubectl create secret tls}. */
  static final String TLS_SECRET = "shop-tls";

  /** Where the upload-store and the agents' stand-ins listen (their Services' target ports). */
  static final int UPLOAD_PORT = 8081;

  static final int AGENT_PORT = 12345;

  private final SandboxCluster cluster;
  private final KubernetesClient client;
  private final Narration narration;
  private final SandboxNetwork network;
  private final ShopRoute route;
  private final List<AutoCloseable> servers = new ArrayList<>();

  @SuppressWarnings("NullAway.Init") // set by apply(), the shop's first step
  private ExampleManifests example;

  @SuppressWarnings("NullAway.Init") // set by startBackendsAndAgents(), the shop's first step
  private DemoAgents agents;

  @SuppressWarnings("NullAway.Init") // set by startBackendsAndAgents(), the shop's first step
  private StorefrontReplicas storefront;

  @SuppressWarnings("NullAway.Init") // set by startBackendsAndAgents(), the shop's first step
  private DemoBackends uploadStore;

  @SuppressWarnings("NullAway.Init") // set by startBackendsAndAgents(), the shop's first step
  private Certificates.Pair shopCa;

  /** examples/canary's stand-in, when the examples applied have its Service. */
  private @Nullable StorefrontCanary canary;

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
   * Step 3: every file of {@code read}, one directory after the other, checked first (together:
   * examples/canary builds on examples/shop) ({@link ExampleManifests#problems}: a broken example
   * stops the sandbox, naming each problem), then created in file order as {@code kubectl apply -f}
   * creates them: the Namespace, ConfigMaps, Deployments (their pods are the sandbox's to run),
   * Services, OffloadAgents and the ProxyRoute. Right after the Namespace, the TLS Secret, as the
   * example's README makes it with {@code kubectl create secret tls}.
   */
  void apply(ExampleManifests read) {
    List<String> problems = read.problems(Set.of(TLS_SECRET));
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          read.where() + " is not a working example:\n  " + String.join("\n  ", problems));
    }
    example = read;
    for (ExampleManifests.Manifest manifest : read.all()) {
      client.resource(manifest.object()).create();
      narration.say("applied " + manifest.kind() + " " + manifest.name());
      if (manifest.object() instanceof Namespace && manifest.name().equals(NS)) {
        createTlsSecret();
        narration.say(
            "Secret shop/"
                + TLS_SECRET
                + " for shop.example.com (the README's kubectl create"
                + " secret tls)");
      }
    }
  }

  /**
   * Step 4: in-process stand-ins for the Deployments' pods, each on its own loopback address and on
   * the port its Service targets, and the EndpointSlices the endpoint controller would write for
   * them. The storefront starts with one replica.
   */
  void startBackendsAndAgents() throws InterruptedException {
    requirePort(StorefrontReplicas.SERVICE, ClusterFixtures.PORT_NAME, StorefrontReplicas.PORT);
    storefront = new StorefrontReplicas(client, network);
    servers.add(storefront);
    uploadStore = new DemoBackends(new InetSocketAddress(network.service(2), UPLOAD_PORT));
    servers.add(uploadStore);
    agents =
        new DemoAgents(
            new InetSocketAddress(network.service(3), AGENT_PORT),
            new InetSocketAddress(network.service(4), AGENT_PORT));
    servers.add(agents);
    endpoints("upload-store", network.service(2), UPLOAD_PORT);
    endpoints("waf-agent", network.service(3), AGENT_PORT);
    endpoints("iprep-agent", network.service(4), AGENT_PORT);
    if (example.service(StorefrontCanary.SERVICE).isPresent()) {
      requirePort(StorefrontCanary.SERVICE, ClusterFixtures.PORT_NAME, StorefrontCanary.PORT);
      canary = new StorefrontCanary(network.service(5));
      servers.add(canary);
      endpoints(StorefrontCanary.SERVICE, network.service(5), StorefrontCanary.PORT);
    }
    narration.say(
        "storefront (HTTP/1.1) "
            + network.service(1)
            + ":"
            + StorefrontReplicas.PORT
            + ", upload-store (h2c) "
            + network.service(2)
            + ":"
            + UPLOAD_PORT);
    narration.say(
        "waf agent (blocks paths with \"attack\") "
            + network.service(3)
            + ":"
            + AGENT_PORT
            + ", iprep agent "
            + network.service(4)
            + ":"
            + AGENT_PORT);
    if (canary != null) {
      narration.say(
          "storefront-canary (HTTP/1.1, greets as storefront-canary) "
              + network.service(5)
              + ":"
              + StorefrontCanary.PORT);
    }
  }

  /**
   * The EndpointSlice of the example's Service {@code name}: the stand-in at {@code ip}, on the
   * port the Service targets, which must be the one the stand-in listens on.
   */
  private void endpoints(String name, String ip, int listensOn) {
    ServicePort port = requirePort(name, null, listensOn);
    EndpointSlice slice =
        new EndpointSliceBuilder(ClusterFixtures.endpointSlice(NS, name, listensOn, List.of(ip)))
            .editFirstPort()
            .withName(port.getName())
            .endPort()
            .build();
    client.resource(slice).create();
  }

  /**
   * The first port of the example's Service {@code name}, checked to target {@code listensOn} (and
   * to be named {@code portName} when that is given): where the sandbox's stand-in listens.
   */
  private ServicePort requirePort(String name, @Nullable String portName, int listensOn) {
    Service service =
        example
            .service(name)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        example.where()
                            + ": no Service "
                            + name
                            + " (expected: the sandbox runs a"
                            + " stand-in behind it)"));
    ServicePort port = service.getSpec().getPorts().get(0);
    int target = example.targetPort(service, port);
    if (target != listensOn || (portName != null && !portName.equals(port.getName()))) {
      throw new IllegalStateException(
          example.where()
              + ": Service "
              + name
              + " port "
              + port.getName()
              + " targets "
              + target
              + " (expected: "
              + (portName == null ? "" : "a port named " + portName + " ")
              + "targeting "
              + listensOn
              + ", where the sandbox's stand-in listens)");
    }
    return port;
  }

  /**
   * shop-tls, for shop.example.com, issued by a demo CA that {@link #trafficClient} trusts; its
   * values in data, as {@code kubectl create secret tls} writes them.
   */
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
                .withName(TLS_SECRET)
                .withNamespace(NS)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("tls.crt", base64(shopCert.certificatePem()))
                .addToData("tls.key", base64(shopCert.privateKeyPem()))
                .build())
        .create();
  }

  /** As kubectl sends a Secret's values, and the API server stores them: base64 in data. */
  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Step 5: {@link #PODS} pods made from the example's storefront Deployment's pod template, sent
   * through the webhook, their sidecars started, then the route Ready on all of them. The pods'
   * files go to {@code work}.
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
    if (canaryRoute().isPresent()) {
      narration.check(
          canaryRoute().get().awaitReady(Duration.ofSeconds(90)),
          "ProxyRoute "
              + CanaryTraffic.ROUTE
              + " (sluice.dev/v1alpha2) is Ready: every pod serves both listeners");
    }
    if (gatewayRoute().isPresent()) {
      narration.check(
          gatewayRoute().get().awaitReady(Duration.ofSeconds(90)),
          "ProxyRoute "
              + HttpRouteTraffic.PARENT
              + " (the HTTPRoutes' parent) is Ready: every pod serves its listener");
    }
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

  /** A pod of the storefront Deployment, as its ReplicaSet would create it. */
  private Pod storefrontPod(String name) {
    PodTemplateSpec template =
        example.of(Deployment.class).stream()
            .filter(d -> d.getMetadata().getName().equals(StorefrontReplicas.SERVICE))
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException(example.where() + ": no Deployment storefront"))
            .getSpec()
            .getTemplate();
    PodSpec spec = new PodSpecBuilder(template.getSpec()).build();
    if (spec.getServiceAccountName() == null) {
      spec.setServiceAccountName("default"); // as the API server's admission sets it
    }
    return new PodBuilder()
        .withMetadata(
            new ObjectMetaBuilder(template.getMetadata())
                .withName(name)
                .withNamespace(NS)
                .withUid(UUID.randomUUID().toString())
                .build())
        .withSpec(spec)
        .build();
  }

  /** An HTTPS client for the shop's sidecars, trusting the shop's certificate. */
  HttpClient trafficClient() {
    return ShopRequests.client(shopCa.certificatePem());
  }

  ShopRoute route() {
    return route;
  }

  /** examples/canary's route, when the examples applied have it. */
  Optional<ShopRoute> canaryRoute() {
    return hasCanary(example)
        ? Optional.of(new ShopRoute(client, CanaryTraffic.ROUTE))
        : Optional.empty();
  }

  /** Whether {@code examples} have examples/canary's route. */
  static boolean hasCanary(ExampleManifests examples) {
    return examples.manifests("ProxyRoute").stream()
        .anyMatch(m -> m.name().equals(CanaryTraffic.ROUTE));
  }

  /**
   * A copy of the object {@code kind} {@code name} as the examples applied have it: what its file
   * says, to create it again.
   */
  HasMetadata asWritten(String kind, String name) {
    HasMetadata written =
        example.manifests(kind).stream()
            .filter(m -> m.name().equals(name))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        example.where()
                            + ": no "
                            + kind
                            + " "
                            + name
                            + " (expected: the example's)"))
            .object();
    HasMetadata copy = client.getKubernetesSerialization().clone(written);
    copy.getMetadata().setResourceVersion(null);
    return copy;
  }

  /** examples/httproute's parent ProxyRoute, when the examples applied have HTTPRoutes. */
  Optional<ShopRoute> gatewayRoute() {
    return hasHttpRoutes(example)
        ? Optional.of(new ShopRoute(client, HttpRouteTraffic.PARENT))
        : Optional.empty();
  }

  /** Whether {@code examples} have HTTPRoutes (examples/httproute's). */
  static boolean hasHttpRoutes(ExampleManifests examples) {
    return !examples.manifests("HTTPRoute").isEmpty();
  }

  /** examples/canary's stand-in, when the examples applied have its Service. */
  Optional<StorefrontCanary> canary() {
    return Optional.ofNullable(canary);
  }

  KubernetesClient client() {
    return client;
  }

  SandboxNetwork network() {
    return network;
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

  /**
   * Stops the upload-store backend, as a crashed process: its endpoint stays in the EndpointSlice,
   * so the sidecars' connections to it are refused.
   */
  void stopUploadStore() {
    uploadStore.close();
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
