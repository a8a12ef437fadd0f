package dev.sluice.operator;

import dev.sluice.operator.admin.AdminServer;
import dev.sluice.operator.certs.CaPublisher;
import dev.sluice.operator.certs.CertificateManager;
import dev.sluice.operator.configservice.KubernetesTokenReviewer;
import dev.sluice.operator.inject.AdmissionWebhook;
import dev.sluice.operator.inject.InjectionFollowUp;
import dev.sluice.operator.inject.InjectionSettings;
import dev.sluice.operator.inject.WebhookServer;
import dev.sluice.operator.metrics.OperatorMetrics;
import dev.sluice.operator.render.Renderer;
import dev.sluice.operator.status.EventRecorder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar sluice-operator.jar}: runs the operator against the current kubeconfig context
 * (or in-cluster): the reconcilers (under a Lease when leader election is on), and on every replica
 * the config service, the injection webhook and the admin endpoint.
 */
@Command(
    name = "sluice-operator",
    mixinStandardHelpOptions = true,
    version = "sluice-operator 0.1.0",
    description =
        "Reconciles ProxyRoutes and OffloadAgents into per-pod Sluice sidecars: injects them,"
            + " serves each pod its config, rolls changes out pod by pod and reports in status."
            + " Talks to the cluster of the current kubeconfig context, or the one it runs in."
            + " Logs: SLUICE_LOG_FORMAT=JSON for one JSON object per line, SLUICE_LOG_LEVEL.")
public final class OperatorMain implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  @Option(
      names = "--namespace",
      paramLabel = "NS",
      description = "Namespace to reconcile (repeatable). Default: all namespaces.")
  List<String> namespaces = List.of();

  @Option(
      names = "--operator-namespace",
      paramLabel = "NS",
      description =
          "Namespace the operator runs in (its Secret, Service and Lease). Default: $POD_NAMESPACE,"
              + " else sluice-system.")
  String operatorNamespace = System.getenv().getOrDefault("POD_NAMESPACE", "sluice-system");

  @Option(
      names = "--service",
      paramLabel = "NAME",
      description =
          "The operator's Service (certificate names, sidecar URLs). Default: ${DEFAULT-VALUE}.")
  String service = "sluice-operator";

  @Option(
      names = "--config-service-port",
      paramLabel = "PORT",
      description = "HTTPS port of the config service. Default: ${DEFAULT-VALUE}.")
  int configServicePort = 8443;

  @Option(
      names = "--webhook-port",
      paramLabel = "PORT",
      description = "HTTPS port of the injection webhook. Default: ${DEFAULT-VALUE}.")
  int webhookPort = 9443;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      description = "HTTP port of /healthz, /readyz and /metrics. Default: ${DEFAULT-VALUE}.")
  int adminPort = 8080;

  @Option(
      names = "--no-leader-election",
      negatable = true,
      description =
          "Hold the Lease before reconciling and rolling out (the default); turn it off only"
              + " with one replica.")
  boolean leaderElection = true;

  @Option(
      names = "--lease",
      paramLabel = "NAME",
      description = "The leader-election Lease. Default: ${DEFAULT-VALUE}.")
  String lease = "sluice-operator";

  @Option(
      names = "--tls-secret",
      paramLabel = "NAME",
      description = "Secret with the serving certificate and CA. Default: ${DEFAULT-VALUE}.")
  String tlsSecret = "sluice-operator-tls";

  @Option(
      names = "--cert-manager",
      description =
          "The TLS Secret is written by cert-manager (and the caBundle injected by its CA"
              + " injector): only read it.")
  boolean certManager;

  @Option(
      names = "--webhook-configuration",
      paramLabel = "NAME",
      description =
          "MutatingWebhookConfiguration whose caBundle to keep. Default: ${DEFAULT-VALUE}.")
  String webhookConfiguration = "sluice-sidecar-injector";

  @Option(
      names = "--ca-configmap",
      paramLabel = "NAME",
      description =
          "ConfigMap with ca.crt published to namespaces with sidecars. Default: ${DEFAULT-VALUE}.")
  String caConfigMap = "sluice-ca";

  @Option(
      names = "--sidecar-image",
      paramLabel = "IMAGE",
      description = "Image of the injected sidecar. Default: ${DEFAULT-VALUE}.")
  String sidecarImage = "ghcr.io/sluice/sidecar:0.1.0";

  @Option(
      names = "--sidecar-cpu-request",
      paramLabel = "QUANTITY",
      description =
          "Injected sidecar's CPU request (pods may override). Default: ${DEFAULT-VALUE}.")
  String sidecarCpuRequest = "100m";

  @Option(
      names = "--sidecar-memory-request",
      paramLabel = "QUANTITY",
      description = "Injected sidecar's memory request. Default: ${DEFAULT-VALUE}.")
  String sidecarMemoryRequest = "128Mi";

  @Option(
      names = "--sidecar-memory-limit",
      paramLabel = "QUANTITY",
      description = "Injected sidecar's memory limit. Default: ${DEFAULT-VALUE}.")
  String sidecarMemoryLimit = "256Mi";

  @Option(
      names = "--native-sidecars",
      paramLabel = "auto|true|false",
      description =
          "Inject native sidecars (init containers with restartPolicy Always, Kubernetes 1.29+)."
              + " auto: by the API server's version. Default: ${DEFAULT-VALUE}.")
  String nativeSidecars = "auto";

  @Option(
      names = "--long-poll",
      paramLabel = "DURATION",
      description =
          "How long the config service holds a sidecar's poll. Default: ${DEFAULT-VALUE}.")
  String hold = "60s";

  public static void main(String[] args) {
    System.exit(new CommandLine(new OperatorMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    try {
      return run();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      LOG.error(
          "cannot work with the Kubernetes API server ({}): {}; cause: {}",
          e.getCode() <= 0 ? "unreachable" : "HTTP " + e.getCode(),
          e.getMessage(),
          cause.toString());
      return 1;
    }
  }

  private Integer run() throws Exception {
    // checkstyle:terminal-output-begin
    PrintWriter err = new PrintWriter(System.err, true);
    // checkstyle:terminal-output-end
    if (!Set.of("auto", "true", "false").contains(nativeSidecars)) {
      err.println(
          "sluice-operator: --native-sidecars "
              + nativeSidecars
              + " (expected: auto, true or false)");
      return 2;
    }
    Duration holdFor;
    try {
      holdFor = dev.sluice.sidecar.config.Durations.parse(hold);
    } catch (IllegalArgumentException e) {
      err.println("sluice-operator: --long-poll " + hold + " (expected: a duration like 60s)");
      return 2;
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    Clock clock = Clock.systemUTC();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(registry);
    OperatorMetrics metrics = new OperatorMetrics(registry);

    CertificateManager certs =
        CertificateManager.start(
            client,
            new CertificateManager.Settings(
                operatorNamespace,
                tlsSecret,
                service,
                webhookConfiguration,
                Duration.ofDays(3650),
                Duration.ofDays(365),
                certManager,
                List.of()),
            clock);
    CaPublisher ca = new CaPublisher(client, caConfigMap);
    certs.onBundle(ca::bundle);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    timer.scheduleWithFixedDelay(certs::check, 10, 10, TimeUnit.MINUTES);

    Set<String> watched = new LinkedHashSet<>(namespaces);
    AtomicBoolean stopping = new AtomicBoolean();
    OperatorRuntime runtime =
        OperatorRuntime.start(
            client,
            new OperatorRuntime.Settings(
                watched,
                new InetSocketAddress(configServicePort),
                certs.serverContext(),
                holdFor,
                leaderElection ? leaderElection(stopping) : null,
                Renderer.Defaults.STANDARD,
                clock,
                ca::ensure),
            new KubernetesTokenReviewer(client, clock),
            metrics);

    SharedIndexInformer<Namespace> namespaceLabels = client.namespaces().inform();
    boolean nativeSupported = nativeSidecars(client);
    InjectionSettings injection =
        new InjectionSettings(
            sidecarImage,
            "https://" + service + "." + operatorNamespace + ".svc:" + configServicePort,
            caConfigMap,
            nativeSupported,
            sidecarCpuRequest,
            sidecarMemoryRequest,
            sidecarMemoryLimit,
            "0.1.0");
    WebhookServer webhook =
        new WebhookServer(
            new InetSocketAddress(webhookPort),
            certs.serverContext(),
            new AdmissionWebhook(
                injection,
                ns -> {
                  Namespace n = namespaceLabels.getStore().getByKey(ns);
                  return n == null || n.getMetadata().getLabels() == null
                      ? Map.of()
                      : n.getMetadata().getLabels();
                }),
            new InjectionFollowUp(ca, new EventRecorder(client)));
    AdminServer admin =
        new AdminServer(
            new InetSocketAddress(adminPort), registry, () -> namespaceLabels.hasSynced());
    LOG.info(
        "sluice-operator running: config service :{}, webhook :{}, admin :{}, {} sidecars,"
            + " namespaces {}, leader election {}",
        configServicePort,
        webhookPort,
        adminPort,
        nativeSupported ? "native" : "regular",
        watched.isEmpty() ? "all" : watched,
        leaderElection ? "on (Lease " + operatorNamespace + "/" + lease + ")" : "off");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping.set(true);
                  admin.close();
                  webhook.close();
                  runtime.close();
                  namespaceLabels.close();
                  timer.shutdownNow();
                  client.close();
                  stopped.countDown();
                },
                "sluice-operator-shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * The Lease, held under the pod's name. Losing it while running exits the process (a restart
   * rejoins the election, and two leaders never roll out at once); giving it up on shutdown does
   * not (exiting from a shutdown hook would hang the JVM).
   */
  private LeaderElectionConfiguration leaderElection(AtomicBoolean stopping) {
    return new LeaderElectionConfiguration(
        lease,
        operatorNamespace,
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
        System.getenv("HOSTNAME"),
        new LeaderCallbacks(
            () -> LOG.info("leading: reconciling and rolling out"),
            () -> {
              if (!stopping.get()) {
                LOG.error(
                    "lost the Lease {}/{}; exiting to rejoin the election",
                    operatorNamespace,
                    lease);
                System.exit(1);
              }
            },
            leader -> LOG.info("the leader is {}", leader)),
        false);
  }

  /** Native sidecars need Kubernetes 1.29+ (SidecarContainers on by default). */
  private boolean nativeSidecars(KubernetesClient client) {
    if (!nativeSidecars.equals("auto")) {
      return Boolean.parseBoolean(nativeSidecars);
    }
    var version = client.getKubernetesVersion();
    return NativeSidecars.supported(version.getMajor(), version.getMinor());
  }
}
