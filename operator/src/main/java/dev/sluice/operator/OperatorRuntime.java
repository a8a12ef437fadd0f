package dev.sluice.operator;

import dev.sluice.operator.agent.OffloadAgentReconciler;
import dev.sluice.operator.configservice.ConfigService;
import dev.sluice.operator.configservice.PodDirectory;
import dev.sluice.operator.configservice.TokenReviewer;
import dev.sluice.operator.metrics.OperatorMetrics;
import dev.sluice.operator.namespace.NamespaceReconciler;
import dev.sluice.operator.pods.PodWriter;
import dev.sluice.operator.render.Renderer;
import dev.sluice.operator.revisions.RevisionStore;
import dev.sluice.operator.rollout.NamespaceSync;
import dev.sluice.operator.status.EventRecorder;
import dev.sluice.operator.status.StatusWriter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * The operator's parts wired together: the two reconcilers (leader only, when leader election is
 * on) and the config service (every replica). What {@code OperatorMain} runs and what the tests
 * start against the mock API server.
 */
public final class OperatorRuntime implements AutoCloseable {
  /**
   * How to run.
   *
   * @param namespaces namespaces to watch; empty: all
   * @param configService where the config service listens
   * @param tls its TLS context
   * @param hold how long a long-poll is held before 204
   * @param leaderElection the Lease to hold, or null to run without leader election
   * @param defaults sidecar settings the renderer puts in every config
   * @param clock the clock (tests drive progress deadlines with their own)
   * @param sidecarNamespaces told of every namespace a pass found sidecar pods in (the CA bundle is
   *     published there)
   */
  public record Settings(
      Set<String> namespaces,
      InetSocketAddress configService,
      SSLContext tls,
      Duration hold,
      LeaderElectionConfiguration leaderElection,
      Renderer.Defaults defaults,
      Clock clock,
      java.util.function.Consumer<String> sidecarNamespaces) {}

  private final Operator operator;
  private final PodDirectory pods;
  private final ConfigService configService;
  private final StatusWriter statuses;
  private final OperatorMetrics metrics;

  private OperatorRuntime(
      Operator operator,
      PodDirectory pods,
      ConfigService configService,
      StatusWriter statuses,
      OperatorMetrics metrics) {
    this.operator = operator;
    this.pods = pods;
    this.configService = configService;
    this.statuses = statuses;
    this.metrics = metrics;
  }

  public static OperatorRuntime start(
      KubernetesClient client, Settings settings, TokenReviewer tokens, OperatorMetrics metrics)
      throws IOException {
    RevisionStore revisions = new RevisionStore(client);
    PodWriter writer = new PodWriter(client);
    StatusWriter statuses = new StatusWriter(client);
    EventRecorder events = new EventRecorder(client);
    NamespaceSync sync =
        new NamespaceSync(
            revisions,
            writer,
            statuses,
            events,
            settings.defaults(),
            settings.clock(),
            metrics,
            settings.sidecarNamespaces());
    PodDirectory pods = new PodDirectory(client);
    ConfigService configService =
        new ConfigService(
            settings.configService(),
            settings.tls(),
            tokens,
            pods,
            revisions,
            writer,
            metrics,
            settings.clock(),
            settings.hold());
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withUseSSAToPatchPrimaryResource(false)
                  .withSSABasedCreateUpdateMatchForDependentResources(false)
                  .withStopOnInformerErrorDuringStartup(true)
                  .withCacheSyncTimeout(Duration.ofMinutes(2));
              if (settings.leaderElection() != null) {
                o.withLeaderElectionConfiguration(settings.leaderElection());
              }
            });
    NamespaceReconciler namespaces = new NamespaceReconciler(sync, metrics, settings.namespaces());
    operator.register(
        namespaces,
        o ->
            o.watchingAllNamespaces()
                .withGenericFilter(namespaces::watches)
                // A pass at least this often: revision clean-up and deadlines without events.
                .withReconciliationMaxInterval(Duration.ofMinutes(5)));
    operator.register(
        new OffloadAgentReconciler(statuses, events, settings.clock(), metrics),
        o -> namespaces(o, settings.namespaces()));
    operator.start();
    return new OperatorRuntime(operator, pods, configService, statuses, metrics);
  }

  private static void namespaces(
      io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider<?> o,
      Set<String> namespaces) {
    if (namespaces.isEmpty()) {
      o.watchingAllNamespaces();
    } else {
      o.settingNamespaces(namespaces);
    }
  }

  public ConfigService configService() {
    return configService;
  }

  public StatusWriter statuses() {
    return statuses;
  }

  public OperatorMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    operator.stop();
    configService.close();
    pods.close();
  }
}
