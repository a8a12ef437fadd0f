package dev.sluice.sandbox;

import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Rule;
import dev.sluice.sidecar.config.ContractFields;
import dev.sluice.testing.kubernetes.GatewayApiCrds;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The whole system on loopback, narrated: an embedded Kubernetes API, the operator in-process
 * (reconcilers, config service, webhook, its own TLS), demo backends and SPOE agents, the shop
 * example applied (and the canary and HTTPRoute examples after it, when given), pods admitted
 * through the webhook and their sidecars run for real, demo traffic (a greeting, a 32 MiB HTTP/1.1
 * → h2c upload checked end to end, a request the WAF blocks), the canary's split, opt-in, redirect
 * and rate limit ({@link CanaryTraffic}), the HTTPRoutes attached to a ProxyRoute ({@link
 * HttpRouteTraffic}), and a rolling reload under traffic. Every check it makes is counted; {@link
 * #failures} says how many failed.
 *
 * <p>This class runs the steps in order (seven, one more with the canary, one more with the
 * HTTPRoutes) and is what {@link SandboxMain} and the tests hold; the parts have their own classes:
 * {@link SandboxCluster} (the API and the operator), {@link ShopDemo} (backends, agents, the
 * example, the pods), {@link StatusWatcher}, {@link DemoTraffic}, all printing through one {@link
 * Narration}.
 */
final class Sandbox implements AutoCloseable {
  static final int PODS = ShopDemo.PODS;

  private final Narration narration;
  private final ExampleManifests examples;
  private final Path work;

  /** Example directories left out: their HTTPRoutes need Gateway API's CRDs, not found. */
  private final List<Path> skipped;

  @SuppressWarnings("NullAway.Init") // set by the steps run() takes in order; close() checks
  private SandboxCluster cluster;

  @SuppressWarnings("NullAway.Init") // set by the steps run() takes in order; close() checks
  private ShopDemo shop;

  @SuppressWarnings("NullAway.Init") // set by the steps run() takes in order; close() checks
  private StatusWatcher watcher;

  private final SandboxNetwork network;

  Sandbox(PrintStream out, List<Path> examples, Path work) {
    this(out, examples, work, SandboxNetwork.DEFAULT);
  }

  /** A sandbox on {@code network}'s loopback addresses (tests: a random one each), one example. */
  Sandbox(PrintStream out, Path examples, Path work, SandboxNetwork network) {
    this(out, List.of(examples), work, network);
  }

  /**
   * A sandbox applying {@code examples} one after the other (examples/shop, then what builds on it:
   * examples/canary adds its step).
   */
  Sandbox(PrintStream out, List<Path> examples, Path work, SandboxNetwork network) {
    this.network = network;
    List<Path> applied =
        GatewayApiCrds.find().isPresent() ? examples : ExampleManifests.withoutHttpRoutes(examples);
    this.skipped = examples.stream().filter(d -> !applied.contains(d)).toList();
    this.examples = ExampleManifests.read(applied);
    this.narration =
        new Narration(
            out,
            7
                + (ShopDemo.hasCanary(this.examples) ? 1 : 0)
                + (ShopDemo.hasHttpRoutes(this.examples) ? 1 : 0));
    this.work = work;
  }

  /**
   * Brings everything up and runs the demo; returns when the demo is done (things keep running).
   */
  void run() throws Exception {
    start();
    demo();
  }

  /** Steps 1 to 5: the API, the operator, the example, backends and agents, the pods. */
  void start() throws Exception {
    narration.step(
        "Embedded Kubernetes API (fabric8 mock server, CRUD mode, Sluice CRDs registered)");
    cluster = new SandboxCluster();
    cluster.prepare(work, narration);

    narration.step(
        "The operator, in-process, with what the chart installs around it (RBAC, webhook"
            + " registration, Service): TLS, config service, injection webhook, reconcilers");
    cluster.startOperator(narration);

    narration.step(
        "Applying every file of "
            + examples.where()
            + " (checked first), and the Secret the shop's README makes");
    if (!skipped.isEmpty()) {
      narration.say(
          "Gateway API's CRDs not found (shared/gateway-api-"
              + GatewayApiCrds.RELEASE
              + "/ beside the checkout): "
              + String.join(", ", skipped.stream().map(Path::toString).toList())
              + " skipped, its HTTPRoutes need them");
    }
    shop = new ShopDemo(cluster, narration, network);
    watcher = new StatusWatcher(cluster.client(), ShopDemo.NS, narration);
    shop.apply(examples);

    narration.step(
        "Stand-ins for the Deployments' pods: demo backends and SPOE agents (real servers on their"
            + " own loopback addresses), in their Services' EndpointSlices");
    shop.startBackendsAndAgents();

    narration.step(
        "Starting "
            + PODS
            + " pods of the storefront Deployment: admitted through the webhook, sidecars run for"
            + " real");
    shop.runPods(work);
  }

  /**
   * Steps 6 to 9: demo traffic, examples/canary's route and examples/httproute's HTTPRoutes (each
   * when applied) and a rolling reload under traffic.
   */
  void demo() throws Exception {
    narration.step("Demo traffic through the sidecars (HTTPS, ALPN http/1.1)");
    DemoTraffic traffic = new DemoTraffic(narration, shop);
    traffic.requests();

    if (shop.canaryRoute().isPresent()) {
      narration.step(
          "The canary (examples/canary, sluice.dev/v1alpha2): a weighted split, a header opt-in, a"
              + " redirect and a per-client rate limit, on every pod's HTTP listener");
      new CanaryTraffic(narration, shop).run();
    }

    if (shop.gatewayRoute().isPresent()) {
      narration.step(
          "HTTPRoutes attached to a ProxyRoute (examples/httproute, Gateway API): their status, a"
              + " redirect, a page, an h2c upload, another host, then one detached and attached"
              + " again");
      new HttpRouteTraffic(narration, shop).run();
    }

    narration.step(
        "Rolling reload: the upload timeout changes, pods apply it one by one under traffic");
    traffic.rollingReload();
  }

  int failures() {
    return narration.failures();
  }

  /** Where to reach the sidecars, for the user. */
  void printAddresses() {
    narration.addresses(
        shop.pods(),
        cluster.kubeconfig(),
        shop.canaryRoute().isPresent(),
        shop.gatewayRoute().isPresent());
  }

  /** Stops the operator and starts a new one on the same ports; sidecars keep running. */
  void restartOperator() throws IOException {
    cluster.restartOperator();
  }

  /** The operator replaced by one rendering by {@code table} (an upgrade or a rollback). */
  void restartOperator(ContractFields table) throws IOException {
    cluster.restartOperator(table);
  }

  KubernetesClient client() {
    return cluster.client();
  }

  /** Edits the shop route as a user would: read, change, write back (again on a conflict). */
  void editRoute(UnaryOperator<ProxyRoute> change) {
    shop.route().edit(change);
  }

  /** Where the sandbox wrote the kubeconfig for its API. */
  Path kubeconfig() {
    return cluster.kubeconfig();
  }

  /** Runs {@code writes} as an API server with an older, laxer CRD would take them. */
  void beforeCrdUpgrade(Runnable writes) {
    cluster.kubernetes().beforeCrdUpgrade(writes);
  }

  List<PodRunner.RunningPod> pods() {
    return shop.pods();
  }

  PodRunner podRunner() {
    return shop.podRunner();
  }

  DemoAgents agents() {
    return shop.agents();
  }

  /** Requests examples/canary's stand-in answered (-1 without it). */
  long canaryAnswered() {
    return shop.canary().map(StorefrontCanary::answered).orElse(-1L);
  }

  /** The storefront backend's replicas, to scale and restart under traffic. */
  StorefrontReplicas storefront() {
    return shop.storefront();
  }

  HttpClient trafficClient() {
    return shop.trafficClient();
  }

  ProxyRoute route() {
    return shop.route().get();
  }

  /** ProxyRoute {@code name} of namespace shop, as stored (v1alpha1). */
  ProxyRoute route(String name) {
    return new ShopRoute(cluster.client(), name).get();
  }

  /** The operator's admin listener: {@code /metrics} there. */
  URI operatorAdmin() {
    return cluster.operatorAdmin();
  }

  /** The operator's config service and the CA its certificate chains to. */
  URI configService() {
    return cluster.configService();
  }

  String operatorCa() {
    return cluster.caBundle();
  }

  /** The upload-store backend stopped, its endpoint left in place: connections are refused. */
  void stopUploadStore() {
    shop.stopUploadStore();
  }

  /** The route observed its latest generation and is Ready. */
  boolean isReady() {
    return shop.route().isReady();
  }

  boolean awaitReady(Duration within) {
    return shop.route().awaitReady(within);
  }

  /** What a failed scenario prints: the route's and agents' status, the pods' records, events. */
  String diagnostics() {
    return ShopDiagnostics.of(cluster.client(), shop.route());
  }

  static Rule withRequestTimeout(Rule rule, String request) {
    return ShopRoute.withRequestTimeout(rule, request);
  }

  static HttpRequest.Builder request(String ip, String path) {
    return ShopRequests.request(ip, path);
  }

  static HttpRequest get(String ip, String path) {
    return ShopRequests.get(ip, path);
  }

  static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
    return ShopRequests.send(http, request);
  }

  /**
   * Stops whatever started: the watches, the sidecars (before the operator: they would keep polling
   * a stopped one), the operator, the agents and backends, the API last.
   */
  @Override
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
    if (shop != null) {
      shop.stopPods();
    }
    if (cluster != null) {
      cluster.stopOperator();
    }
    if (shop != null) {
      shop.close();
    }
    if (cluster != null) {
      try {
        cluster.close();
      } catch (RuntimeException ignored) {
        // stopping anyway
      }
    }
  }
}
