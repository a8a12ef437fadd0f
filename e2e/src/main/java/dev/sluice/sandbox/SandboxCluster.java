package dev.sluice.sandbox;

import dev.sluice.operator.OperatorRuntime;
import dev.sluice.operator.OperatorSettings;
import dev.sluice.operator.inject.WebhookServer;
import dev.sluice.sidecar.config.ContractFields;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import dev.sluice.testing.kubernetes.GatewayApiCrds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster the sandbox runs on: fabric8's embedded Kubernetes API (CRUD mode, the CRDs
 * registered, a kubeconfig written for it) and the whole operator in-process on loopback, built by
 * {@link OperatorRuntime} as the operator's jar builds it (its own TLS, config service, injection
 * webhook, reconcilers). The operator can be restarted on the same ports, as a new operator process
 * would start, while the API and the pods keep running.
 */
final class SandboxCluster implements AutoCloseable {
  /** The operator's namespace. */
  static final String SYSTEM = "sluice-system";

  /**
   * The release the embedded API's {@code /version} reports: one with native sidecars, which the
   * operator ({@code --native-sidecars auto}, its default) and {@code kubectl sluice check} read.
   */
  static final VersionInfo KUBERNETES =
      new VersionInfo.Builder().withMajor("1").withMinor("32").withGitVersion("v1.32.0").build();

  private final EmbeddedKubernetes kubernetes;
  private final KubernetesClient client;

  @SuppressWarnings("NullAway.Init") // set by prepare() and startOperator(), the first steps
  private Path kubeconfig;

  @SuppressWarnings("NullAway.Init") // set by prepare() and startOperator(), the first steps
  private OperatorRuntime operator;

  /** The version table the operator renders by: this build's, or a newer operator's (tests). */
  private ContractFields contract = ContractFields.CURRENT;

  /** Starts the API server (nothing in it yet). */
  SandboxCluster() throws IOException {
    kubernetes = new EmbeddedKubernetes(KUBERNETES);
    client = kubernetes.client();
    // Gateway API's CRDs where this checkout has them beside it (the project's shared/ folder, as
    // developers' machines and CI do): HTTPRoutes can then attach to ProxyRoutes here too.
    if (GatewayApiCrds.find().isPresent()) {
      kubernetes.installGatewayApi();
    }
  }

  /**
   * Step 1: a kubeconfig in {@code work} and the operator's namespace (the example brings its own,
   * labelled for injection).
   */
  void prepare(Path work, Narration narration) throws IOException {
    kubeconfig = kubernetes.writeKubeconfig(Files.createDirectories(work).resolve("kubeconfig"));
    kubernetes.namespace(SYSTEM);
    narration.say(
        "API "
            + client.getConfiguration().getMasterUrl()
            + " (Kubernetes "
            + KUBERNETES.getMajor()
            + "."
            + KUBERNETES.getMinor()
            + "), kubeconfig "
            + kubeconfig);
  }

  /**
   * Step 2: what the chart installs before the operator runs (RBAC, the webhook registration), the
   * operator started on any free ports, then its Service and endpoints naming those ports.
   */
  void startOperator(Narration narration) throws IOException {
    List<HasMetadata> installed = OperatorInstall.applyManifests(client);
    narration.say(
        "installed from operator/deploy, as the chart installs them: "
            + String.join(
                ", ",
                installed.stream()
                    .map(o -> o.getKind() + " " + o.getMetadata().getName())
                    .toList()));
    startOperator(0, 0);
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put("config-service", operator.configService().address().getPort());
    ports.put("webhook", operator.webhookAddress().getPort());
    ports.put("admin", operator.adminAddress().getPort());
    String address = InetAddress.getLoopbackAddress().getHostAddress();
    OperatorInstall.service(client, SYSTEM, address, ports);
    narration.say(
        "CA and serving certificate in Secret sluice-system/sluice-operator-tls; caBundle patched");
    narration.say(
        "config service https://localhost:"
            + operator.configService().address().getPort()
            + ", webhook https://localhost:"
            + operator.webhookAddress().getPort()
            + "/mutate-pods; Service "
            + SYSTEM
            + "/"
            + OperatorInstall.NAME
            + " has them as its ready endpoint "
            + address);
  }

  /**
   * Starts the operator as a new operator process would: the config service and the webhook on
   * {@code configPort} and {@code webhookPort} (0: any).
   */
  private void startOperator(int configPort, int webhookPort) throws IOException {
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
                .withSidecarImage("sluice-sidecar (in-process)")
                .withContract(contract));
  }

  /**
   * Stops the operator and starts one that renders by {@code table} on the same ports, as an
   * upgrade (or a rollback) of the operator would; sidecars keep running.
   */
  void restartOperator(ContractFields table) throws IOException {
    contract = table;
    restartOperator();
  }

  /** Stops the operator and starts a new one on the same ports; sidecars keep running. */
  void restartOperator() throws IOException {
    int configPort = operator.configService().address().getPort();
    int webhookPort = operator.webhookAddress().getPort();
    operator.close();
    startOperator(configPort, webhookPort);
  }

  EmbeddedKubernetes kubernetes() {
    return kubernetes;
  }

  KubernetesClient client() {
    return client;
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  /** Where the API server would send pods for admission (the running operator's webhook). */
  URI webhook() {
    return URI.create(
        "https://localhost:" + operator.webhookAddress().getPort() + WebhookServer.PATH);
  }

  /**
   * The running operator's admin listener ({@code /healthz}, {@code /readyz}, {@code /metrics}).
   */
  URI operatorAdmin() {
    return URI.create("http://localhost:" + operator.adminAddress().getPort());
  }

  /** The running operator's config service, as a sidecar reaches it. */
  URI configService() {
    return URI.create("https://localhost:" + operator.configService().address().getPort());
  }

  /** The CA bundle the running operator publishes, which its serving certificates chain to. */
  String caBundle() {
    return operator.certificates().orElseThrow().caBundle();
  }

  /** Stops the operator; the API keeps running. */
  void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  /** Stops the API server. */
  @Override
  public void close() {
    kubernetes.close();
  }
}
