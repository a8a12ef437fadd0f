package dev.sluice.sandbox;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.operator.NativeSidecars;
import dev.sluice.operator.OperatorRuntime;
import dev.sluice.operator.OperatorSettings;
import dev.sluice.operator.certs.Certificates;
import dev.sluice.operator.inject.WebhookServer;
import dev.sluice.operator.status.Conditions;
import dev.sluice.testing.kubernetes.ClusterFixtures;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The whole system on loopback, narrated: an embedded Kubernetes API, the operator in-process
 * (reconcilers, config service, webhook, its own TLS), demo backends and SPOE agents, the shop
 * example applied, pods admitted through the webhook and their sidecars run for real, demo traffic
 * (a greeting, a 32 MiB HTTP/1.1 → h2c upload checked end to end, a request the WAF blocks), and a
 * rolling reload under traffic. Every check it makes is counted; {@link #failures} says how many
 * failed.
 */
final class Sandbox implements AutoCloseable {
  static final String NS = "shop";
  static final String SYSTEM = "sluice-system";
  static final int PODS = 4;
  static final int UPLOAD_BYTES = 32 * 1024 * 1024;

  private final PrintStream out;
  private final Path examples;
  private final Path work;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final AtomicInteger failures = new AtomicInteger();
  private EmbeddedKubernetes kubernetes;
  private OperatorRuntime operator;
  private DemoAgents agents;
  private KubernetesClient client;
  private PodRunner pods;
  private StatusWatcher watcher;
  private Certificates.Pair shopCa;
  private int step;

  Sandbox(PrintStream out, Path examples, Path work) {
    this.out = out;
    this.examples = examples;
    this.work = work;
  }

  int failures() {
    return failures.get();
  }

  List<PodRunner.RunningPod> pods() {
    return pods.pods();
  }

  KubernetesClient client() {
    return client;
  }

  private void step(String what) {
    out.printf("%n[%d/7] %s%n", ++step, what);
  }

  private void say(String what) {
    out.println("      " + what);
  }

  private void check(boolean ok, String what) {
    out.println("      " + (ok ? "ok   " : "FAIL ") + what);
    if (!ok) {
      failures.incrementAndGet();
    }
  }

  /**
   * Brings everything up and runs the demo; returns when the demo is done (things keep running).
   */
  void run() throws Exception {
    start();
    demo();
  }

  /**
   * Starts the whole operator (its own TLS, config service, webhook, admin, reconcilers) on
   * loopback, as a new operator process would: the config service and the webhook on {@code
   * configPort} and {@code webhookPort} (0: any).
   */
  private void startOperator(int configPort, int webhookPort) throws java.io.IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    operator =
        OperatorRuntime.start(
            client,
            OperatorSettings.defaults()
                .onLoopback()
                .withConfigService(new InetSocketAddress(loopback, configPort))
                .withWebhook(new InetSocketAddress(loopback, webhookPort))
                .withOperatorNamespace(SYSTEM)
                .withLeaderElection(false)
                .withExtraDnsNames(List.of("localhost"))
                .withConfigServiceHost("localhost")
                .withHold(Duration.ofSeconds(30))
                .withNativeSidecars(NativeSidecars.ON)
                .withSidecarImage("sluice-sidecar (in-process)"));
  }

  /** Stops the operator and starts a new one on the same ports; sidecars keep running. */
  void restartOperator() throws java.io.IOException {
    int configPort = operator.configService().address().getPort();
    int webhookPort = operator.webhookAddress().getPort();
    operator.close();
    startOperator(configPort, webhookPort);
  }

  /** Steps 1 to 5: the API, the operator, backends and agents, the example, the pods. */
  void start() throws Exception {
    step("Embedded Kubernetes API (fabric8 mock server, CRUD mode, Sluice CRDs registered)");
    kubernetes = new EmbeddedKubernetes();
    closing.add(kubernetes);
    client = kubernetes.client();
    Path kubeconfig =
        kubernetes.writeKubeconfig(Files.createDirectories(work).resolve("kubeconfig"));
    kubernetes.namespace(SYSTEM);
    kubernetes.namespace(NS, Map.of(Labels.INJECT, Labels.INJECT_NAMESPACE_ENABLED));
    say("API " + client.getConfiguration().getMasterUrl() + ", kubeconfig " + kubeconfig);
    say("namespace shop labelled sluice.dev/inject=enabled");

    step("The operator, in-process: TLS, config service, injection webhook, reconcilers");
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
                .withNamespace(SYSTEM)
                .withPath("/mutate-pods")
                .endService()
                .endClientConfig()
                .endWebhook()
                .build())
        .create();
    startOperator(0, 0);
    int webhookPort = operator.webhookAddress().getPort();
    say("CA and serving certificate in Secret sluice-system/sluice-operator-tls; caBundle patched");
    say(
        "config service https://localhost:"
            + operator.configService().address().getPort()
            + ", webhook https://localhost:"
            + webhookPort
            + "/mutate-pods");

    step("Demo backends and SPOE agents (real servers on their own loopback addresses)");
    DemoBackends backends =
        new DemoBackends(
            new InetSocketAddress("127.0.20.1", 8080), new InetSocketAddress("127.0.20.2", 8081));
    closing.add(backends);
    agents =
        new DemoAgents(
            new InetSocketAddress("127.0.20.3", 12345), new InetSocketAddress("127.0.20.4", 12345));
    closing.add(agents);
    service("storefront", 8080, "127.0.20.1");
    service("upload-store", 8081, "127.0.20.2");
    service("waf-agent", 12345, "127.0.20.3");
    service("iprep-agent", 12345, "127.0.20.4");
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
    say("storefront (HTTP/1.1) 127.0.20.1:8080, upload-store (h2c) 127.0.20.2:8081");
    say("waf agent (blocks paths with \"attack\") 127.0.20.3:12345, iprep agent 127.0.20.4:12345");
    say("Secret shop/shop-tls for shop.example.com");

    step("Applying " + examples + " (ProxyRoute shop, OffloadAgents waf and iprep)");
    watcher = new StatusWatcher(client, out);
    closing.add(watcher);
    try (Stream<Path> files = Files.list(examples)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          for (HasMetadata object : client.load(in).items()) {
            client.resource(object).create();
            say("applied " + object.getKind() + " " + object.getMetadata().getName());
          }
        }
      }
    }

    step(
        "Starting "
            + PODS
            + " storefront pods: admitted through the webhook, sidecars run for real");
    pods =
        new PodRunner(
            kubernetes,
            URI.create("https://localhost:" + webhookPort + WebhookServer.PATH),
            () -> operator.certificates().orElseThrow().caBundle(),
            work);
    for (int i = 1; i <= PODS; i++) {
      PodRunner.RunningPod pod = pods.run(storefrontPod("storefront-" + i));
      check(
          pod.sidecar() != null,
          "pod shop/" + pod.name() + " at " + pod.ip() + ": sidecar injected and started");
    }
    check(awaitReady(Duration.ofSeconds(90)), "ProxyRoute shop is Ready (every pod applied it)");
    ProxyRouteStatus status = route().getStatus();
    say(
        "revision "
            + status.revision()
            + " on "
            + status.rollout().updatedPods()
            + " of "
            + status.rollout().selectedPods()
            + " pods");
  }

  /** Steps 6 and 7: demo traffic and a rolling reload under traffic. */
  void demo() throws Exception {
    step("Demo traffic through the sidecars (HTTPS, ALPN http/1.1)");
    HttpClient http = trafficClient();
    String ip = pods.pods().get(0).ip();
    HttpResponse<String> hello = send(http, get(ip, "/"));
    check(
        hello.statusCode() == 200
            && hello.body().startsWith("storefront: hello")
            && hello.body().contains("IP reputation score"),
        "GET https://shop.example.com/ via "
            + ip
            + " -> "
            + hello.statusCode()
            + " "
            + hello.body().trim());
    byte[] upload = new byte[UPLOAD_BYTES];
    new SecureRandom().nextBytes(upload);
    String expected = HexFormat.of().formatHex(DemoBackends.sha256().digest(upload));
    long started = System.nanoTime();
    HttpResponse<String> stored =
        send(
            http,
            request(ip, "/upload/demo.bin")
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload))
                .build());
    double seconds = (System.nanoTime() - started) / 1e9;
    check(
        stored.statusCode() == 200
            && stored.body().contains("sha256=" + expected)
            && stored.body().contains("bytes=" + UPLOAD_BYTES),
        String.format(
            "POST 32 MiB HTTP/1.1 -> h2c upload-store: %d, digest matches, END_STREAM"
                + " seen by the backend (%.0f MiB/s)",
            stored.statusCode(), 32 / seconds));
    HttpResponse<String> blocked =
        send(
            http,
            request(ip, "/upload/attack").POST(HttpRequest.BodyPublishers.ofString("x")).build());
    check(
        blocked.statusCode() == 403,
        "POST /upload/attack -> " + blocked.body().trim() + " (the WAF agent said blocked)");
    check(
        agents.wafNotifications.get() >= 2,
        "the WAF agent received " + agents.wafNotifications.get() + " NOTIFY frames over SPOP");

    step("Rolling reload: the upload timeout changes, pods apply it one by one under traffic");
    String before = route().getStatus().revision();
    Traffic traffic = new Traffic(http, pods.pods());
    traffic.start();
    ProxyRoute edited = route();
    edited.getSpec().rules().set(0, withRequestTimeout(edited.getSpec().rules().get(0), "45s"));
    edited.setStatus(null);
    client.resource(edited).update();
    boolean rolled =
        awaitReady(Duration.ofSeconds(90))
            && !Objects.equals(route().getStatus().revision(), before);
    traffic.stop();
    check(
        rolled,
        "ProxyRoute shop Ready again on revision "
            + route().getStatus().revision()
            + " (was "
            + before
            + ")");
    check(
        traffic.failed() == 0,
        traffic.sent() + " requests during the rollout, " + traffic.failed() + " failed");
  }

  static dev.sluice.api.v1alpha1.Rule withRequestTimeout(
      dev.sluice.api.v1alpha1.Rule rule, String request) {
    var t = rule.timeouts();
    return new dev.sluice.api.v1alpha1.Rule(
        rule.name(),
        rule.matches(),
        rule.backend(),
        new dev.sluice.api.v1alpha1.RouteTimeouts(t.connect(), request, t.idle()),
        rule.maxRequestBodyBytes(),
        rule.zeroCopy(),
        rule.offload(),
        rule.actions());
  }

  /** Where to reach the sidecars, for the user. */
  void printAddresses() {
    out.println();
    out.println("Sluice is running. The sidecars (HTTPS on 8443, Host shop.example.com):");
    for (PodRunner.RunningPod pod : pods.pods()) {
      out.printf(
          "  %-14s https://%s:8443   admin http://%s:10090/ready%n",
          pod.name(), pod.ip(), pod.ip());
    }
    out.println(
        "Try:  curl -k --resolve shop.example.com:8443:"
            + pods.pods().get(0).ip()
            + " https://shop.example.com:8443/");
    out.println(
        "      curl -k --resolve shop.example.com:8443:"
            + pods.pods().get(0).ip()
            + " --data-binary @/etc/hostname https://shop.example.com:8443/upload/x");
    // The embedded API server serves no discovery documents, so kubectl works with --raw.
    out.println(
        "      KUBECONFIG="
            + work.resolve("kubeconfig")
            + " kubectl get --raw /apis/sluice.dev/v1alpha1/namespaces/shop/proxyroutes/shop");
    out.println("Ctrl-C stops everything.");
  }

  DemoAgents agents() {
    return agents;
  }

  PodRunner podRunner() {
    return pods;
  }

  /** What a failed scenario prints: the route's and agents' status, the pods' records, events. */
  String diagnostics() {
    StringBuilder out = new StringBuilder();
    try {
      out.append(io.fabric8.kubernetes.client.utils.Serialization.asYaml(route()));
      for (OffloadAgent a :
          client.resources(OffloadAgent.class).inNamespace(NS).list().getItems()) {
        out.append(io.fabric8.kubernetes.client.utils.Serialization.asYaml(a.getStatus()));
      }
      for (Pod p : client.pods().inNamespace(NS).list().getItems()) {
        out.append("pod ")
            .append(p.getMetadata().getName())
            .append(' ')
            .append(p.getMetadata().getAnnotations())
            .append('\n');
      }
      client
          .v1()
          .events()
          .inNamespace(NS)
          .list()
          .getItems()
          .forEach(
              e ->
                  out.append("event ")
                      .append(e.getType())
                      .append(' ')
                      .append(e.getReason())
                      .append(": ")
                      .append(e.getMessage())
                      .append('\n'));
    } catch (RuntimeException e) {
      out.append("(diagnostics failed: ").append(e).append(")\n");
    }
    return out.toString();
  }

  ProxyRoute route() {
    return client.resources(ProxyRoute.class).inNamespace(NS).withName("shop").get();
  }

  boolean awaitReady(Duration within) {
    if (isReady()) {
      return true;
    }
    try {
      client
          .resources(ProxyRoute.class)
          .inNamespace(NS)
          .withName("shop")
          .waitUntilCondition(Sandbox::isReady, within.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      return false; // not Ready within the time
    }
  }

  /** The route observed its latest generation and is Ready. */
  boolean isReady() {
    return isReady(route());
  }

  static boolean isReady(ProxyRoute r) {
    return r != null
        && r.getStatus() != null
        && Objects.equals(r.getStatus().observedGeneration(), r.getMetadata().getGeneration())
        && Conditions.isTrue(r.getStatus().conditions(), "Ready");
  }

  private void service(String name, int port, String ip) {
    client.resource(ClusterFixtures.service(NS, name, port)).create();
    client.resource(ClusterFixtures.endpointSlice(NS, name, port, List.of(ip))).create();
  }

  private static Pod storefrontPod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .addToLabels("app", "storefront")
        .withUid(java.util.UUID.randomUUID().toString())
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

  HttpClient trafficClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .sslContext(Certificates.trusting(shopCa.certificatePem()))
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  static HttpRequest.Builder request(String ip, String path) {
    return HttpRequest.newBuilder(URI.create("https://" + ip + ":8443" + path))
        .header("Host", "shop.example.com")
        .timeout(Duration.ofSeconds(60));
  }

  static HttpRequest get(String ip, String path) {
    return request(ip, path).GET().build();
  }

  static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Requests to every pod in a loop while a rollout runs, counting failures. */
  static final class Traffic {
    private final HttpClient http;
    private final List<PodRunner.RunningPod> pods;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    Traffic(HttpClient http, List<PodRunner.RunningPod> pods) {
      this.http = http;
      this.pods = pods;
    }

    void start() {
      for (int t = 0; t < 4; t++) {
        Thread thread =
            new Thread(
                () -> {
                  int i = 0;
                  while (running && i < 1_000_000) {
                    String ip = pods.get(i++ % pods.size()).ip();
                    try {
                      int status = send(http, get(ip, "/during-rollout")).statusCode();
                      if (status != 200) {
                        failed.incrementAndGet();
                      }
                    } catch (Exception e) {
                      failed.incrementAndGet();
                    }
                    sent.incrementAndGet();
                  }
                },
                "sandbox-traffic-" + t);
        thread.setDaemon(true);
        thread.start();
        threads.add(thread);
      }
    }

    void stop() throws InterruptedException {
      running = false;
      for (Thread t : threads) {
        t.join(10_000);
      }
    }

    int sent() {
      return sent.get();
    }

    int failed() {
      return failed.get();
    }
  }

  /** Prints the ProxyRoute's and OffloadAgents' conditions whenever they change. */
  static final class StatusWatcher implements AutoCloseable {
    private final Map<String, String> last = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<io.fabric8.kubernetes.client.Watch> watches = new ArrayList<>();

    /** Watches (API events, no polling) the namespace's ProxyRoutes and OffloadAgents. */
    StatusWatcher(KubernetesClient client, PrintStream out) {
      watches.add(
          client
              .resources(ProxyRoute.class)
              .inNamespace(NS)
              .watch(
                  changes(
                      r ->
                          print(
                              out,
                              last,
                              "ProxyRoute " + r.getMetadata().getName(),
                              r.getStatus() == null ? null : r.getStatus().conditions(),
                              r.getStatus() == null || r.getStatus().rollout() == null
                                  ? ""
                                  : " updated "
                                      + r.getStatus().rollout().updatedPods()
                                      + "/"
                                      + r.getStatus().rollout().selectedPods()
                                      + " revision "
                                      + r.getStatus().revision()))));
      watches.add(
          client
              .resources(OffloadAgent.class)
              .inNamespace(NS)
              .watch(
                  changes(
                      a ->
                          print(
                              out,
                              last,
                              "OffloadAgent " + a.getMetadata().getName(),
                              a.getStatus() == null ? null : a.getStatus().conditions(),
                              ""))));
    }

    private static <T> io.fabric8.kubernetes.client.Watcher<T> changes(
        java.util.function.Consumer<T> onChange) {
      return new io.fabric8.kubernetes.client.Watcher<>() {
        @Override
        public void eventReceived(Action action, T object) {
          if (action != Action.DELETED) {
            onChange.accept(object);
          }
        }

        @Override
        public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {}
      };
    }

    private static void print(
        PrintStream out,
        Map<String, String> last,
        String who,
        List<Condition> conditions,
        String extra) {
      if (conditions == null) {
        return;
      }
      StringBuilder line = new StringBuilder();
      for (String type : List.of("Ready", "Reconciling", "Stalled", "Available")) {
        Condition c = Conditions.find(conditions, type);
        if (c != null) {
          line.append(' ')
              .append(type)
              .append('=')
              .append(c.getStatus())
              .append('(')
              .append(c.getReason())
              .append(')');
        }
      }
      String text = line + extra;
      if (!text.equals(last.get(who))) {
        last.put(who, text);
        out.println("      status  " + who + ":" + text);
      }
    }

    @Override
    public synchronized void close() {
      watches.forEach(io.fabric8.kubernetes.client.Watch::close);
    }
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
    if (pods != null) {
      pods.close(); // sidecars first: they would keep polling a stopped operator
    }
    if (operator != null) {
      operator.close();
    }
    for (int i = closing.size() - 1; i >= 0; i--) {
      try {
        closing.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }
}
