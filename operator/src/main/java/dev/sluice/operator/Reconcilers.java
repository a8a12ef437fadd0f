package dev.sluice.operator;

import dev.sluice.operator.agent.OffloadAgentReconciler;
import dev.sluice.operator.cluster.ReferencedObjects;
import dev.sluice.operator.metrics.OperatorMetrics;
import dev.sluice.operator.route.NamespaceReconciler;
import dev.sluice.operator.route.NamespaceSync;
import dev.sluice.operator.status.EventRecorder;
import dev.sluice.operator.status.StatusWriter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two reconcilers under JOSDK — one per namespace for routes and rollouts, one per OffloadAgent
 * for its status — run only while holding the Lease when leader election is on.
 */
final class Reconcilers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Reconcilers.class);

  private final Operator operator;

  private Reconcilers(Operator operator) {
    this.operator = operator;
  }

  /**
   * Starts them (with leader election: starts campaigning for the Lease). {@code closing}: true
   * once the operator stops, when giving up the Lease is no loss.
   */
  static Reconcilers start(
      KubernetesClient client,
      OperatorSettings settings,
      NamespaceSync sync,
      StatusWriter statuses,
      EventRecorder events,
      OperatorMetrics metrics,
      BooleanSupplier closing) {
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withUseSSAToPatchPrimaryResource(false)
                  .withSSABasedCreateUpdateMatchForDependentResources(false)
                  .withStopOnInformerErrorDuringStartup(true)
                  .withCacheSyncTimeout(Duration.ofMinutes(2));
              if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(leaderElection(settings, closing));
              }
            });
    NamespaceReconciler namespaces =
        new NamespaceReconciler(
            sync,
            metrics,
            settings.namespaces(),
            ReferencedObjects.secrets(client),
            ReferencedObjects.configMaps(client),
            sync.watchesHttpRoutes());
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
    return new Reconcilers(operator);
  }

  private static void namespaces(ControllerConfigurationOverrider<?> o, Set<String> namespaces) {
    if (namespaces.isEmpty()) {
      o.watchingAllNamespaces();
    } else {
      o.settingNamespaces(namespaces);
    }
  }

  /**
   * The Lease, held under the settings' identity. Losing it while running runs {@code onLeaseLost}
   * (by default the process exits, so a restart rejoins the election and two leaders never roll out
   * at once); giving it up on shutdown does not (exiting from a shutdown hook would hang the JVM).
   */
  private static LeaderElectionConfiguration leaderElection(
      OperatorSettings settings, BooleanSupplier closing) {
    String namespace = settings.operatorNamespace();
    String lease = settings.lease();
    return new LeaderElectionConfiguration(
        lease,
        namespace,
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
        settings.identity(),
        new LeaderCallbacks(
            () -> LOG.info("leading: reconciling and rolling out"),
            () -> {
              if (!closing.getAsBoolean()) {
                LOG.error("lost the Lease {}/{}; exiting to rejoin the election", namespace, lease);
                settings.onLeaseLost().run();
              }
            },
            leader -> LOG.info("the leader is {}", leader)),
        false);
  }

  @Override
  public void close() {
    operator.stop();
  }
}
