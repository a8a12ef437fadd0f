package dev.sluice.operator;

import dev.sluice.operator.certs.CaPublisher;
import dev.sluice.operator.certs.CertificateManager;
import dev.sluice.operator.configservice.ConfigService;
import dev.sluice.operator.configservice.EndpointService;
import dev.sluice.operator.configservice.EndpointSliceDirectory;
import dev.sluice.operator.configservice.KubernetesTokenReviewer;
import dev.sluice.operator.configservice.PodDirectory;
import dev.sluice.operator.configservice.RevisionStore;
import dev.sluice.operator.gateway.GatewayApi;
import dev.sluice.operator.gateway.ParentStatusWriter;
import dev.sluice.operator.inject.AdmissionWebhook;
import dev.sluice.operator.inject.InjectionFollowUp;
import dev.sluice.operator.inject.InjectionSettings;
import dev.sluice.operator.inject.NamespaceLabels;
import dev.sluice.operator.inject.WebhookServer;
import dev.sluice.operator.metrics.JvmMetrics;
import dev.sluice.operator.metrics.OperatorMetrics;
import dev.sluice.operator.pods.PodWriter;
import dev.sluice.operator.route.NamespaceSync;
import dev.sluice.operator.status.EventRecorder;
import dev.sluice.operator.status.StatusWriter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator, assembled once from {@link OperatorSettings}: its certificates and the CA bundle's
 * publisher, then on every replica the config service, the injection webhook and the admin
 * endpoint, and last the reconcilers (leader only, when leader election is on). What {@code
 * OperatorMain}, the sandbox and the tests run. The listeners are up before the reconcilers start;
 * {@code /readyz} answers 200 once everything started and the namespace informer synced. Closing
 * stops the parts in reverse.
 */
public final class OperatorRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);

  private final Deque<AutoCloseable> parts;
  private final AtomicBoolean closing;
  private final ServingTls tls;
  private final ConfigService configService;
  private final WebhookServer webhook;
  private final AdminServer admin;
  private final StatusWriter statuses;
  private final OperatorMetrics metrics;

  private OperatorRuntime(
      Deque<AutoCloseable> parts,
      AtomicBoolean closing,
      ServingTls tls,
      ConfigService configService,
      WebhookServer webhook,
      AdminServer admin,
      StatusWriter statuses,
      OperatorMetrics metrics) {
    this.parts = parts;
    this.closing = closing;
    this.tls = tls;
    this.configService = configService;
    this.webhook = webhook;
    this.admin = admin;
    this.statuses = statuses;
    this.metrics = metrics;
  }

  /**
   * Starts every part on {@code client} (which the caller closes); on failure stops them again. The
   * listeners are bound first: a taken port throws {@link ListenerBindException} before anything
   * was written to the cluster.
   */
  public static OperatorRuntime start(KubernetesClient client, OperatorSettings settings)
      throws IOException {
    Deque<AutoCloseable> parts = new ArrayDeque<>();
    AtomicBoolean closing = new AtomicBoolean();
    AtomicBoolean started = new AtomicBoolean();
    BoundListeners listeners = push(parts, BoundListeners.bind(settings));
    try {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      parts.push(JvmMetrics.bindTo(registry));
      OperatorMetrics metrics = new OperatorMetrics(registry);
      CaPublisher ca = new CaPublisher(client, settings.caConfigMap());
      ServingTls tls = push(parts, ServingTls.start(client, settings, ca));
      RevisionStore revisions = new RevisionStore(client);
      PodWriter writer = new PodWriter(client);
      StatusWriter statuses = new StatusWriter(client);
      EventRecorder events = new EventRecorder(client, settings.clock());
      PodDirectory pods = push(parts, new PodDirectory(client));
      ConfigService configService =
          configService(parts, client, settings, listeners, tls, pods, revisions, writer, metrics);
      NamespaceLabels labels = push(parts, new NamespaceLabels(client));
      boolean nativeSidecars = settings.nativeSidecars().resolve(client);
      InjectionSettings injection =
          injection(settings, nativeSidecars, configService.address().getPort());
      WebhookServer webhook =
          push(
              parts,
              new WebhookServer(
                  listeners.webhook(),
                  tls.context(),
                  new AdmissionWebhook(injection, labels),
                  new InjectionFollowUp(ca, events)));
      AdminServer admin =
          push(
              parts,
              new AdminServer(listeners.admin(), registry, () -> started.get() && labels.synced()));
      NamespaceSync sync =
          sync(
              settings,
              revisions,
              writer,
              statuses,
              events,
              metrics,
              ca,
              client,
              GatewayApi.servesHttpRoutes(client));
      push(
          parts,
          Reconcilers.start(client, settings, sync, statuses, events, metrics, closing::get));
      started.set(true);
      OperatorRuntime runtime =
          new OperatorRuntime(
              parts, closing, tls, configService, webhook, admin, statuses, metrics);
      runtime.logRunning(settings, nativeSidecars);
      return runtime;
    } catch (RuntimeException e) {
      closing.set(true);
      stop(parts);
      throw e;
    }
  }

  /** The config service and the endpoint documents it serves, started and pushed to parts. */
  private static ConfigService configService(
      Deque<AutoCloseable> parts,
      KubernetesClient client,
      OperatorSettings settings,
      BoundListeners listeners,
      ServingTls tls,
      PodDirectory pods,
      RevisionStore revisions,
      PodWriter writer,
      OperatorMetrics metrics) {
    EndpointService endpoints = endpoints(parts, client, settings, pods, revisions, metrics);
    return push(
        parts,
        new ConfigService(
            listeners.configService(),
            tls.context(),
            settings
                .tokenReviewer()
                .orElseGet(() -> new KubernetesTokenReviewer(client, settings.clock())),
            pods,
            revisions,
            writer,
            endpoints,
            metrics,
            settings.clock(),
            settings.hold(),
            settings.rendererDefaults().contract()));
  }

  /** Endpoint documents, over informers of their own (every replica serves them). */
  private static EndpointService endpoints(
      Deque<AutoCloseable> parts,
      KubernetesClient client,
      OperatorSettings settings,
      PodDirectory pods,
      RevisionStore revisions,
      OperatorMetrics metrics) {
    EndpointSliceDirectory slices = push(parts, new EndpointSliceDirectory(client));
    return push(
        parts,
        new EndpointService(pods, slices, revisions, metrics, settings.hold(), System::nanoTime));
  }

  private static NamespaceSync sync(
      OperatorSettings settings,
      RevisionStore revisions,
      PodWriter writer,
      StatusWriter statuses,
      EventRecorder events,
      OperatorMetrics metrics,
      CaPublisher ca,
      KubernetesClient client,
      boolean httpRoutes) {
    return new NamespaceSync(
        revisions,
        writer,
        statuses,
        events,
        settings.rendererDefaults(),
        settings.clock(),
        metrics,
        ca::ensure,
        httpRoutes ? new ParentStatusWriter(client) : null);
  }

  private static <T extends AutoCloseable> T push(Deque<AutoCloseable> parts, T part) {
    parts.push(part);
    return part;
  }

  private static InjectionSettings injection(
      OperatorSettings settings, boolean nativeSidecars, int configServicePort) {
    return new InjectionSettings(
        settings.sidecarImage(),
        "https://" + settings.configServiceHost() + ":" + configServicePort,
        settings.caConfigMap(),
        nativeSidecars,
        settings.sidecarCpuRequest(),
        settings.sidecarMemoryRequest(),
        settings.sidecarMemoryLimit(),
        settings.sidecarAccessLog(),
        settings.sidecarTracing(),
        OperatorVersion.VERSION,
        settings.sidecarScrapeAnnotations());
  }

  private void logRunning(OperatorSettings settings, boolean nativeSidecars) {
    LOG.info(
        "sluice-operator running: config service :{}, webhook :{}, admin :{}, {} sidecars,"
            + " namespaces {}, leader election {}",
        configService.address().getPort(),
        webhook.address().getPort(),
        admin.address().getPort(),
        nativeSidecars ? "native" : "regular",
        settings.namespaces().isEmpty() ? "all" : settings.namespaces(),
        settings.leaderElection()
            ? "on (Lease " + settings.operatorNamespace() + "/" + settings.lease() + ")"
            : "off");
  }

  public ConfigService configService() {
    return configService;
  }

  public InetSocketAddress webhookAddress() {
    return webhook.address();
  }

  public InetSocketAddress adminAddress() {
    return admin.address();
  }

  /** The operator's certificates; empty when the settings brought their own TLS. */
  public Optional<CertificateManager> certificates() {
    return tls.certificates();
  }

  public StatusWriter statuses() {
    return statuses;
  }

  public OperatorMetrics metrics() {
    return metrics;
  }

  /** Stops the reconcilers (giving up the Lease), then the listeners, informers and timers. */
  @Override
  public void close() {
    closing.set(true);
    stop(parts);
  }

  private static void stop(Deque<AutoCloseable> parts) {
    for (AutoCloseable part = parts.poll(); part != null; part = parts.poll()) {
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("stopping {} failed: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
