package dev.sluice.operator.testing;

import dev.sluice.operator.OperatorRuntime;
import dev.sluice.operator.certs.Certificates;
import dev.sluice.operator.configservice.KubernetesTokenReviewer;
import dev.sluice.operator.metrics.OperatorMetrics;
import dev.sluice.operator.render.Renderer;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * The operator as the tests run it: {@link OperatorRuntime} on a {@link EmbeddedKubernetes}, its
 * config service on real HTTPS (a CA of its own, a serving certificate for localhost) holding
 * long-polls for a second, and in-process {@link SimulatedSidecar}s as its clients.
 */
public final class OperatorHarness implements AutoCloseable {
  public static final Duration HOLD = Duration.ofSeconds(1);

  private final EmbeddedKubernetes cluster;
  private final Clock clock;
  private final Certificates.Pair ca;
  private final SSLContext serverTls;
  private final List<SimulatedSidecar> sidecars = new ArrayList<>();
  private OperatorRuntime runtime;
  private int port;

  private final io.fabric8.kubernetes.client.KubernetesClient operatorClient;
  private final io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration leaderElection;

  public OperatorHarness(EmbeddedKubernetes cluster, Clock clock) {
    this(cluster, clock, cluster.client(), null);
  }

  /** The operator on its own client (to tell its requests from the test's) and maybe a Lease. */
  public OperatorHarness(
      EmbeddedKubernetes cluster,
      Clock clock,
      io.fabric8.kubernetes.client.KubernetesClient operatorClient,
      io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration leaderElection) {
    this.cluster = cluster;
    this.clock = clock;
    this.operatorClient = operatorClient;
    this.leaderElection = leaderElection;
    Instant now = Instant.now();
    this.ca = Certificates.authority("sluice-test-ca", now, Duration.ofDays(1));
    this.serverTls =
        Certificates.serverContext(
            Certificates.serving(ca, List.of("localhost"), now, Duration.ofDays(1)));
  }

  /** Starts (or restarts, as a new operator process would) the operator. */
  public OperatorRuntime start() throws IOException {
    runtime =
        OperatorRuntime.start(
            operatorClient,
            new OperatorRuntime.Settings(
                Set.of(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                serverTls,
                HOLD,
                leaderElection,
                Renderer.Defaults.STANDARD,
                clock,
                null),
            new KubernetesTokenReviewer(operatorClient, clock),
            OperatorMetrics.none());
    port = runtime.configService().address().getPort();
    return runtime;
  }

  /** Stops the operator; sidecars keep polling (and failing) until it is back. */
  public void stop() {
    if (runtime != null) {
      runtime.close();
      runtime = null;
    }
  }

  public OperatorRuntime runtime() {
    return runtime;
  }

  public String configServiceUrl() {
    return "https://localhost:" + port;
  }

  public SSLContext trust() {
    return Certificates.trusting(ca.certificatePem());
  }

  /** A sidecar for {@code pod} with its own pod's token. */
  public SimulatedSidecar sidecar(Pod pod, Predicate<SidecarConfig> rejects) {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Pod stored = cluster.client().pods().inNamespace(namespace).withName(name).get();
    String token = cluster.issueToken(namespace, name, stored.getMetadata().getUid());
    return sidecar(namespace, name, token, rejects);
  }

  /** A sidecar for {@code pod} presenting {@code token} (maybe another pod's). */
  public SimulatedSidecar sidecar(
      String namespace, String pod, String token, Predicate<SidecarConfig> rejects) {
    SimulatedSidecar sidecar =
        new SimulatedSidecar(configServiceUrl(), namespace, pod, token, trust(), rejects);
    sidecars.add(sidecar);
    return sidecar;
  }

  @Override
  public void close() throws InterruptedException {
    for (SimulatedSidecar s : sidecars) {
      s.close();
    }
    stop();
  }
}
