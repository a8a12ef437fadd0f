package dev.sluice.operator.testing;

import dev.sluice.operator.NativeSidecars;
import dev.sluice.operator.OperatorRuntime;
import dev.sluice.operator.OperatorSettings;
import dev.sluice.operator.certs.CertificateManager;
import dev.sluice.operator.certs.Certificates;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * The operator as the tests run it: {@link OperatorRuntime} on a {@link EmbeddedKubernetes}, every
 * listener on loopback, its config service on real HTTPS (a CA of its own, a serving certificate
 * for localhost, unless a test asks for the operator's own certificates) holding long-polls for a
 * second, no leader election, and in-process {@link SimulatedSidecar}s as its clients.
 */
public final class OperatorHarness implements AutoCloseable {
  public static final Duration HOLD = Duration.ofSeconds(1);

  private final EmbeddedKubernetes cluster;
  private final KubernetesClient operatorClient;
  private final Certificates.Pair ca;
  private final OperatorSettings settings;
  private final List<AutoCloseable> sidecars = new ArrayList<>();
  private OperatorRuntime runtime;
  private int port;

  public OperatorHarness(EmbeddedKubernetes cluster, Clock clock) {
    this(cluster, clock, cluster.client(), UnaryOperator.identity());
  }

  /**
   * The operator on its own client (to tell its requests from the test's), with {@code change}
   * applied to the harness's settings (leader election, the operator's own certificates, ...).
   */
  public OperatorHarness(
      EmbeddedKubernetes cluster,
      Clock clock,
      KubernetesClient operatorClient,
      UnaryOperator<OperatorSettings> change) {
    this.cluster = cluster;
    this.operatorClient = operatorClient;
    Instant now = Instant.now();
    this.ca = Certificates.authority("sluice-test-ca", now, Duration.ofDays(1));
    this.settings =
        change.apply(
            OperatorSettings.defaults()
                .onLoopback()
                .withHold(HOLD)
                .withClock(clock)
                .withLeaderElection(false)
                .withNativeSidecars(NativeSidecars.ON)
                .withExtraDnsNames(List.of("localhost"))
                .withTls(
                    Certificates.serverContext(
                        Certificates.serving(ca, List.of("localhost"), now, Duration.ofDays(1)))));
  }

  /** Starts (or restarts, as a new operator process would) the operator. */
  public OperatorRuntime start() throws IOException {
    runtime =
        OperatorRuntime.start(
            operatorClient,
            settings.withConfigService(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
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

  /** Reconciles the running operator finished so far, of either kind. */
  public double reconciles() {
    return runtime.metrics().registry().find("sluice_operator_reconciles").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  public String configServiceUrl() {
    return "https://localhost:" + port;
  }

  /** Trusts the harness's CA, or the operator's own when it keeps its certificates. */
  public SSLContext trust() {
    String bundle =
        runtime == null
            ? ca.certificatePem()
            : runtime.certificates().map(CertificateManager::caBundle).orElse(ca.certificatePem());
    return Certificates.trusting(bundle);
  }

  /** A sidecar for {@code pod} with its own pod's token. */
  public SimulatedSidecar sidecar(Pod pod, Predicate<SidecarConfig> rejects) {
    return sidecar(
        pod.getMetadata().getNamespace(), pod.getMetadata().getName(), token(pod), rejects);
  }

  /** A sidecar for {@code pod} presenting {@code token} (maybe another pod's). */
  public SimulatedSidecar sidecar(
      String namespace, String pod, String token, Predicate<SidecarConfig> rejects) {
    SimulatedSidecar sidecar =
        new SimulatedSidecar(configServiceUrl(), namespace, pod, token, trust(), rejects);
    sidecars.add(sidecar);
    return sidecar;
  }

  /** A sidecar for {@code pod} with its own pod's token, announcing contract {@code contract}. */
  public SimulatedSidecar sidecar(Pod pod, int contract) {
    SimulatedSidecar sidecar =
        new SimulatedSidecar(
            configServiceUrl(),
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            token(pod),
            trust(),
            c -> false,
            c -> false,
            contract);
    sidecars.add(sidecar);
    return sidecar;
  }

  /**
   * A sidecar for {@code pod} that takes the configs {@code stalls} says and never applies them.
   */
  public SimulatedSidecar stalledSidecar(Pod pod, Predicate<SidecarConfig> stalls) {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    SimulatedSidecar sidecar =
        new SimulatedSidecar(
            configServiceUrl(), namespace, name, token(pod), trust(), c -> false, stalls);
    sidecars.add(sidecar);
    return sidecar;
  }

  /** The endpoint half of {@code pod}'s sidecar: follows its endpoint document and ACKs it. */
  public SimulatedEndpoints endpoints(Pod pod) {
    SimulatedEndpoints endpoints =
        new SimulatedEndpoints(
            configServiceUrl(),
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            token(pod),
            trust());
    sidecars.add(endpoints);
    return endpoints;
  }

  private String token(Pod pod) {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Pod stored = cluster.client().pods().inNamespace(namespace).withName(name).get();
    return cluster.issueToken(namespace, name, stored.getMetadata().getUid());
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable s : sidecars) {
      s.close();
    }
    stop();
  }
}
