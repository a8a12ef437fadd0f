package dev.sluice.operator;

import dev.sluice.operator.check.InstallCheck;
import dev.sluice.operator.cli.OperatorPorts;
import dev.sluice.operator.http.ServerDefaults;
import dev.sluice.operator.inject.SidecarAccessLog;
import dev.sluice.operator.inject.SidecarTracing;
import dev.sluice.sidecar.config.Durations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code java -jar sluice-operator.jar}: runs the operator against the current kubeconfig context
 * (or in-cluster): the flags become {@link OperatorSettings} and {@link OperatorRuntime} runs them
 * until the process is stopped.
 */
@Command(
    name = "sluice-operator",
    mixinStandardHelpOptions = true,
    version = "sluice-operator " + OperatorVersion.VERSION,
    subcommands = InstallCheck.class,
    description =
        "Reconciles ProxyRoutes and OffloadAgents into per-pod Sluice sidecars: injects them,"
            + " serves each pod its config, rolls changes out pod by pod and reports in status."
            + " Talks to the cluster of the current kubeconfig context, or the one it runs in."
            + " Logs: SLUICE_LOG_FORMAT=JSON for one JSON object per line, SLUICE_LOG_LEVEL.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:stopped (SIGTERM)",
      "1:cannot work with the Kubernetes API server, or lost the Lease",
      "2:a flag's value is invalid",
      "3:a listener cannot bind its port (checked before anything is written to the cluster)"
    })
public final class OperatorMain implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  /** Exit code when a listener cannot bind (port taken, address not of this host). */
  static final int EXIT_LISTENER = 3;

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

  @Mixin OperatorPorts ports = new OperatorPorts();

  @Option(
      names = "--bind-address",
      paramLabel = "IP",
      description =
          "Address the config service, webhook and admin endpoint listen on. Default: all"
              + " addresses.")
  @Nullable String bindAddress;

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
  String sidecarImage = "ghcr.io/sluice/sidecar:" + OperatorVersion.VERSION;

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
      names = "--sidecar-access-log",
      paramLabel = "json|text|off",
      description =
          "The injected sidecar's access log on standard output: json, text or off (each"
              + " ProxyRoute's spec.accessLog says which exchanges). Default: ${DEFAULT-VALUE}.")
  String sidecarAccessLog = "json";

  @Option(
      names = "--sidecar-otlp-endpoint",
      paramLabel = "URL",
      description =
          "Injected sidecars export a span per sampled exchange over OTLP/HTTP to URL, a"
              + " collector's /v1/traces (their --otlp-endpoint; each ProxyRoute's spec.tracing"
              + " says which are sampled). Default: no export.")
  @Nullable String sidecarOtlpEndpoint;

  @Option(
      names = "--sidecar-otlp-service-name",
      paramLabel = "NAME",
      description =
          "The service.name of the spans injected sidecars export (their --otlp-service-name)."
              + " Default: ${DEFAULT-VALUE}.")
  String sidecarOtlpServiceName = SidecarTracing.DEFAULT_SERVICE_NAME;

  @Option(
      names = "--native-sidecars",
      paramLabel = "auto|true|false",
      description =
          "Inject native sidecars (init containers with restartPolicy Always, Kubernetes 1.29+)."
              + " auto: by the API server's version. Default: ${DEFAULT-VALUE}.")
  String nativeSidecars = "auto";

  @Option(
      names = "--sidecar-scrape-annotations",
      description =
          "Annotate injected pods prometheus.io/scrape, prometheus.io/port (the sidecar's admin"
              + " port) and prometheus.io/path, for a Prometheus that finds pods by annotation. A"
              + " pod with any prometheus.io/* annotation of its own keeps its own and gets none"
              + " (logged). Default: off (a PodMonitor scrapes the sidecars without).")
  boolean sidecarScrapeAnnotations;

  @Option(
      names = "--long-poll",
      paramLabel = "DURATION",
      description =
          "How long the config service holds a sidecar's poll. Default: ${DEFAULT-VALUE}.")
  String hold = "60s";

  @Option(
      names = "--live-endpoints",
      negatable = true,
      description =
          "Render a Service backend or OffloadAgent service as its cluster, whose endpoints every"
              + " sidecar gets at once from"
              + " GET .../endpoints, apart from the config rollout (the sidecar must read"
              + " clusters). Off: endpoints are written into the config. Default: ${DEFAULT-VALUE}.")
  boolean liveEndpoints = true;

  public static void main(String[] args) {
    ServerDefaults.apply(); // before any JDK HTTP server class loads
    System.exit(new CommandLine(new OperatorMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    try {
      return run();
    } catch (ListenerBindException e) {
      LOG.error("cannot start: {}", e.getMessage());
      return EXIT_LISTENER;
    } catch (KubernetesClientException e) {
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
    PrintWriter err = new PrintWriter(System.err, true, Charset.defaultCharset());
    // checkstyle:terminal-output-end
    OperatorSettings settings = settings(err);
    if (settings == null) {
      return 2;
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    OperatorRuntime runtime;
    try {
      runtime = OperatorRuntime.start(client, settings);
    } catch (Exception e) {
      client.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  runtime.close();
                  client.close();
                  stopped.countDown();
                },
                "sluice-operator-shutdown"));
    stopped.await();
    return 0;
  }

  /** The settings the flags ask for; null (after saying which flag is wrong) if one is invalid. */
  private @Nullable OperatorSettings settings(PrintWriter err) {
    NativeSidecars nativeMode = NativeSidecars.fromFlag(nativeSidecars);
    if (nativeMode == null) {
      err.println(
          "sluice-operator: --native-sidecars "
              + nativeSidecars
              + " (expected: auto, true or false)");
      return null;
    }
    SidecarAccessLog accessLog = SidecarAccessLog.fromFlag(sidecarAccessLog);
    if (accessLog == null) {
      err.println(
          "sluice-operator: --sidecar-access-log "
              + sidecarAccessLog
              + " (expected: json, text or off)");
      return null;
    }
    SidecarTracing tracing = sidecarTracing(err);
    if (tracing == null) {
      return null;
    }
    Duration holdFor;
    try {
      holdFor = Durations.parse(hold);
    } catch (IllegalArgumentException e) {
      err.println("sluice-operator: --long-poll " + hold + " (expected: a duration like 60s)");
      return null;
    }
    InetAddress bind;
    try {
      bind = bindAddress(bindAddress);
    } catch (UnknownHostException e) {
      err.println(
          "sluice-operator: --bind-address "
              + bindAddress
              + " (expected: an IP address of this host, like 127.0.0.1 or ::)");
      return null;
    }
    return settings(bind, nativeMode, accessLog, tracing, holdFor);
  }

  private OperatorSettings settings(
      @Nullable InetAddress bind,
      NativeSidecars nativeMode,
      SidecarAccessLog accessLog,
      SidecarTracing tracing,
      Duration holdFor) {
    return OperatorSettings.defaults()
        .withNamespaces(new LinkedHashSet<>(namespaces))
        .withOperatorNamespace(operatorNamespace)
        .withService(service)
        .withConfigService(new InetSocketAddress(bind, ports.configService))
        .withWebhook(new InetSocketAddress(bind, ports.webhook))
        .withAdmin(new InetSocketAddress(bind, ports.admin))
        .withLeaderElection(leaderElection)
        .withLease(lease)
        .withTlsSecret(tlsSecret)
        .withCertManager(certManager)
        .withWebhookConfiguration(webhookConfiguration)
        .withCaConfigMap(caConfigMap)
        .withSidecarImage(sidecarImage)
        .withSidecarResources(sidecarCpuRequest, sidecarMemoryRequest, sidecarMemoryLimit)
        .withNativeSidecars(nativeMode)
        .withSidecarAccessLog(accessLog)
        .withSidecarTracing(tracing)
        .withSidecarScrapeAnnotations(sidecarScrapeAnnotations)
        .withHold(holdFor)
        .withLiveEndpoints(liveEndpoints);
  }

  /** The injected sidecars' span export the flags ask for; null (after saying why) if invalid. */
  private @Nullable SidecarTracing sidecarTracing(PrintWriter err) {
    if (sidecarOtlpServiceName.isBlank()) {
      err.println(
          "sluice-operator: --sidecar-otlp-service-name \""
              + sidecarOtlpServiceName
              + "\" (expected: a name, such as "
              + SidecarTracing.DEFAULT_SERVICE_NAME
              + ")");
      return null;
    }
    if (sidecarOtlpEndpoint == null) {
      return SidecarTracing.OFF;
    }
    URI endpoint = SidecarTracing.endpointFromFlag(sidecarOtlpEndpoint);
    if (endpoint == null) {
      err.println(
          "sluice-operator: --sidecar-otlp-endpoint "
              + sidecarOtlpEndpoint
              + " (expected: "
              + SidecarTracing.EXPECTED_ENDPOINT
              + ")");
      return null;
    }
    return new SidecarTracing(endpoint, sidecarOtlpServiceName);
  }

  /**
   * The listeners' address: null (the flag unset) is every address; otherwise an IP literal or a
   * name of this host.
   */
  static @Nullable InetAddress bindAddress(@Nullable String flag) throws UnknownHostException {
    if (flag == null) {
      return null;
    }
    if (flag.isBlank()) {
      throw new UnknownHostException("an empty address");
    }
    return InetAddress.getByName(flag.strip());
  }
}
