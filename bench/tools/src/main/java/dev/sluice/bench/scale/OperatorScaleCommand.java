package dev.sluice.bench.scale;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.errorprone.annotations.FormatMethod;
import com.google.errorprone.annotations.FormatString;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Secret;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The operator at scale: N simulated sidecars (real HTTPS long-poll clients of the config service,
 * each with its own pod's token) and M ProxyRoutes on the embedded API server, the real operator
 * jar in its own process. Times the first config reaching every pod, then one change (route 0 of
 * every namespace edited) reaching every pod through batched rollouts, then EndpointSlice changes
 * of the backend every route sends to reaching every pod's endpoint long-poll ({@link
 * EndpointPropagation}); samples the operator's heap, RSS and CPU. Figures, written as JSON, not
 * assertions.
 */
@Command(
    name = "operator-scale",
    mixinStandardHelpOptions = true,
    description = "Time for a change to reach every simulated pod; operator heap and CPU.")
public final class OperatorScaleCommand implements Callable<Integer> {
  @Option(
      names = "--operator-jar",
      required = true,
      description = "operator/target/sluice-operator.jar")
  Path operatorJar;

  @Option(names = "--namespaces", defaultValue = "10")
  int namespaces;

  @Option(names = "--pods-per-namespace", defaultValue = "100")
  int podsPerNamespace;

  @Option(names = "--routes-per-namespace", defaultValue = "10")
  int routesPerNamespace;

  @Option(
      names = "--backend-endpoints",
      defaultValue = "10",
      description = "ready endpoints of each namespace's backend Service at the start")
  int backendEndpoints;

  @Option(
      names = "--endpoint-repetitions",
      defaultValue = "3",
      description = "rounds of EndpointSlice changes timed to every sidecar (0: none)")
  int endpointRepetitions;

  @Option(names = "--batch", defaultValue = "10%", description = "rollout.batchSize of every route")
  String batch;

  @Option(names = "--operator-heap", defaultValue = "512m", description = "the operator's -Xmx")
  String heap;

  @Option(names = "--operator-cpus", defaultValue = "", description = "taskset CPU list, or none")
  String cpus;

  @Option(names = "--timeout", defaultValue = "600", description = "seconds per phase")
  int timeoutSeconds;

  @Option(
      names = "--operator-profile",
      description =
          "a JFR recording of the operator (settings=profile) during the endpoint phase, written"
              + " to this file (jcmd)")
  @Nullable Path profile;

  @Option(names = "--out", description = "JSON file for the figures (also printed)")
  @Nullable Path out;

  @Option(names = "--work", defaultValue = "bench/work/operator-scale")
  Path work;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> figures = run();
    String json =
        JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(figures);
    // checkstyle:terminal-output-begin
    System.out.println(json);
    // checkstyle:terminal-output-end
    if (out != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, json + "\n");
    }
    return Boolean.TRUE.equals(figures.get("completed")) ? 0 : 1;
  }

  /** Runs the benchmark and returns its figures. */
  public Map<String, Object> run() throws Exception {
    // The serving certificate names the operator's Service, and the simulated sidecars reach it
    // on localhost: trust is checked against the CA, the host name is not.
    System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    Files.createDirectories(work);
    ScaleCluster.Shape shape =
        new ScaleCluster.Shape(
            namespaces, podsPerNamespace, routesPerNamespace, batch, backendEndpoints);
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("pods", shape.pods());
    figures.put("routes", shape.routes());
    figures.put("namespaces", namespaces);
    figures.put("batch", batch);
    figures.put("operatorHeapLimit", heap);
    figures.put("completed", false);
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    List<LightSidecar> sidecars = new ArrayList<>();
    try (EmbeddedKubernetes cluster = new EmbeddedKubernetes()) {
      cluster.namespace("sluice-system");
      ScaleCluster objects = new ScaleCluster(cluster, shape);
      long setUp = System.nanoTime();
      List<ScaleCluster.PodIdentity> pods = objects.create();
      log(
          "created %d pods and %d routes in %d namespaces (%.1f s)",
          shape.pods(), shape.routes(), namespaces, seconds(System.nanoTime() - setUp));
      Path kubeconfig = cluster.writeKubeconfig(work.resolve("kubeconfig"));
      try (OperatorProcess operator =
          OperatorProcess.start(
              operatorJar, kubeconfig, heap, cpus, work.resolve("operator.log"))) {
        operator.awaitReady(Duration.ofMinutes(2));
        SSLContext trust = OperatorProcess.trusting(caBundle(cluster));
        HttpClient http = client(trust);
        // The endpoint polls on connections of their own, as the real sidecar's.
        HttpClient endpointsHttp = client(trust);
        AtomicLong heapPeak = new AtomicLong();
        AtomicLong rssPeak = new AtomicLong();
        // Samples until the timer shuts down at the end of the run.
        ScheduledFuture<?> unused =
            timer.scheduleAtFixedRate(
                () -> sample(operator, heapPeak, rssPeak), 0, 250, TimeUnit.MILLISECONDS);

        long started = System.nanoTime();
        startSidecars(pods, http, endpointsHttp, timer, operator, sidecars);
        if (!await(sidecars, s -> s.applied() != null, "first config")) {
          return figures;
        }
        figures.put("firstConfigAllPodsSeconds", round(seconds(lastApplied(sidecars) - started)));
        awaitRoutesReady(objects);
        if (!measureChange(objects, sidecars, operator, figures)) {
          return figures;
        }
        if (!measureEndpoints(objects, shape, sidecars, operator, figures)) {
          return figures;
        }
        lastFigures(operator, heapPeak, rssPeak, sidecars, figures);
        figures.put("completed", true);
      } finally {
        sidecars.forEach(LightSidecar::stop);
        timer.shutdownNow();
      }
    }
    return figures;
  }

  /** One simulated sidecar per pod, each long-polling the operator's config service. */
  private void startSidecars(
      List<ScaleCluster.PodIdentity> pods,
      HttpClient http,
      HttpClient endpointsHttp,
      ScheduledExecutorService timer,
      OperatorProcess operator,
      List<LightSidecar> sidecars) {
    for (ScaleCluster.PodIdentity pod : pods) {
      LightSidecar sidecar =
          new LightSidecar(
              http,
              endpointsHttp,
              timer,
              operator.configServiceUrl(),
              pod.namespace(),
              pod.name(),
              pod.token(),
              this::onApplied,
              this::onApplied);
      sidecars.add(sidecar);
      sidecar.start();
    }
  }

  /** Memory peaks and end, and the simulated sidecars' retries. */
  private static void lastFigures(
      OperatorProcess operator,
      AtomicLong heapPeak,
      AtomicLong rssPeak,
      List<LightSidecar> sidecars,
      Map<String, Object> figures)
      throws Exception {
    figures.put("operatorHeapUsedPeakMiB", round(heapPeak.get() / 1048576.0));
    figures.put("operatorHeapUsedEndMiB", round(operator.heapUsedBytes() / 1048576.0));
    figures.put("operatorRssPeakMiB", round(rssPeak.get() / 1048576.0));
    figures.put("sidecarRetries", sidecars.stream().mapToInt(LightSidecar::failures).sum());
    figures.put(
        "sidecarEndpointFailures",
        sidecars.stream().mapToInt(LightSidecar::endpointFailures).sum());
    Map<String, Integer> reasons = new TreeMap<>();
    sidecars.forEach(
        s -> s.endpointFailureReasons().forEach((k, v) -> reasons.merge(k, v, Integer::sum)));
    figures.put("sidecarEndpointFailureReasons", reasons);
  }

  private static HttpClient client(SSLContext trust) {
    return HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** The {@link EndpointPropagation} phase, unless none was asked for; false when incomplete. */
  private boolean measureEndpoints(
      ScaleCluster objects,
      ScaleCluster.Shape shape,
      List<LightSidecar> sidecars,
      OperatorProcess operator,
      Map<String, Object> figures)
      throws Exception {
    if (endpointRepetitions <= 0) {
      return true;
    }
    if (profile != null) {
      operator.jcmd("JFR.start", "name=endpoints", "settings=profile");
    }
    Map<String, Object> endpoints =
        new EndpointPropagation(objects, shape, sidecars, operator, this::await)
            .run(endpointRepetitions);
    if (profile != null) {
      operator.jcmd("JFR.stop", "name=endpoints", "filename=" + profile.toAbsolutePath());
    }
    figures.put("endpointPropagation", endpoints);
    return Boolean.TRUE.equals(endpoints.get("completed"));
  }

  /**
   * Changes the first route in every namespace and measures until every pod applied the new
   * revision and every route is Ready again; false when that did not happen in time.
   */
  private boolean measureChange(
      ScaleCluster objects,
      List<LightSidecar> sidecars,
      OperatorProcess operator,
      Map<String, Object> figures)
      throws Exception {
    Map<LightSidecar, String> before = new HashMap<>();
    sidecars.forEach(s -> before.put(s, s.applied()));
    double cpuBefore = operator.cpuSeconds();
    long changed = System.nanoTime();
    objects.changeFirstRouteEverywhere("30s");
    log("changed route %s in every namespace", ScaleCluster.routeName(0));
    if (!await(sidecars, s -> !requireNonNull(before.get(s)).equals(s.applied()), "the change")) {
      return false;
    }
    figures.put("changeAllPodsSeconds", round(seconds(lastApplied(sidecars) - changed)));
    awaitRoutesReady(objects);
    figures.put("changeRoutesReadySeconds", round(seconds(System.nanoTime() - changed)));
    figures.put("operatorCpuSecondsForChange", round(operator.cpuSeconds() - cpuBefore));
    figures.put("operatorCpuSecondsTotal", round(operator.cpuSeconds()));
    return true;
  }

  private String caBundle(EmbeddedKubernetes cluster) throws InterruptedException {
    // Followed through a watch (fabric8's informer), not polled.
    Secret secret =
        cluster
            .client()
            .secrets()
            .inNamespace("sluice-system")
            .withName("sluice-operator-tls")
            .waitUntilCondition(
                s -> s != null && s.getData() != null && s.getData().get("ca.crt") != null,
                60,
                TimeUnit.SECONDS);
    return new String(
        Base64.getDecoder().decode(secret.getData().get("ca.crt")), StandardCharsets.US_ASCII);
  }

  /**
   * Wakes on every report a simulated sidecar gets accepted and every endpoint document one gets
   * (no polling).
   */
  private final Object progress = new Object();

  private void onApplied() {
    synchronized (progress) {
      progress.notifyAll();
    }
  }

  private boolean await(List<LightSidecar> sidecars, Predicate<LightSidecar> done, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    long nextLog = 0;
    synchronized (progress) {
      while (true) {
        long reached = sidecars.stream().filter(done).count();
        if (reached == sidecars.size()) {
          log("%s reached all %d pods", what, reached);
          return true;
        }
        long now = System.nanoTime();
        if (now >= deadline) {
          log("%s did not reach every pod within %d s", what, timeoutSeconds);
          return false;
        }
        if (now >= nextLog) {
          log("%s: %d/%d pods", what, reached, sidecars.size());
          nextLog = now + TimeUnit.SECONDS.toNanos(5);
        }
        long wait = Math.min(deadline, nextLog) - now;
        TimeUnit.NANOSECONDS.timedWait(progress, Math.max(wait, 1));
      }
    }
  }

  /** Every route Ready for its current generation, each followed through a watch. */
  private void awaitRoutesReady(ScaleCluster objects) {
    objects.awaitRoutesReady(Duration.ofSeconds(timeoutSeconds));
  }

  private static void sample(OperatorProcess operator, AtomicLong heapPeak, AtomicLong rssPeak) {
    try {
      heapPeak.accumulateAndGet(operator.heapUsedBytes(), Math::max);
      rssPeak.accumulateAndGet(operator.rssBytes(), Math::max);
    } catch (Exception e) {
      // a missed sample; the next one counts
    }
  }

  private static long lastApplied(List<LightSidecar> sidecars) {
    return sidecars.stream().mapToLong(LightSidecar::appliedAtNanos).max().orElse(0);
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  @FormatMethod
  static void log(@FormatString String format, Object... args) {
    // checkstyle:terminal-output-begin
    System.err.println("operator-scale: " + format.formatted(args));
    // checkstyle:terminal-output-end
  }
}
