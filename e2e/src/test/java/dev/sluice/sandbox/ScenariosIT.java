package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.Listener;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteSpec;
import dev.sluice.api.v1alpha1.RolloutPolicy;
import dev.sluice.operator.status.Conditions;
import dev.sluice.sidecar.config.ContractField;
import dev.sluice.sidecar.config.ContractFields;
import dev.sluice.sidecar.config.ContractVersions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-system scenarios on the sandbox (embedded API, operator, four pods with real sidecars, real
 * backends and SPOE agents), asserted through status conditions and real traffic; on failure the
 * route's status, the agents', the pods' records and the events are printed.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES) // per scenario: a hang fails instead of stalling CI
class ScenariosIT {
  @TempDir Path work;
  Sandbox sandbox;
  HttpClient http;
  final ByteArrayOutputStream narration = new ByteArrayOutputStream();

  @BeforeAll
  static void clientSettings() {
    SandboxMain.allowHostHeaderAndIpTargets();
  }

  @BeforeEach
  void start() throws Exception {
    sandbox =
        new Sandbox(
            new PrintStream(narration, true, StandardCharsets.UTF_8),
            Path.of("../examples/shop"),
            work,
            SandboxNetwork.random());
    sandbox.start();
    assertThat(sandbox.failures()).as(narration.toString(StandardCharsets.UTF_8)).isZero();
    http = sandbox.trafficClient();
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  /** Runs {@code scenario}; on failure prints what happened. */
  void scenario(ThrowingRunnable scenario) throws Exception {
    try {
      scenario.run();
    } catch (AssertionError | Exception e) {
      System.out.println(narration.toString(StandardCharsets.UTF_8));
      System.out.println(sandbox.diagnostics());
      throw e;
    }
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  String ip(int pod) {
    return sandbox.pods().get(pod).ip();
  }

  /** Edits the route as a user would ({@link ShopRoute#edit}: again on a conflict). */
  void editRoute(java.util.function.UnaryOperator<ProxyRoute> change) {
    sandbox.editRoute(change);
  }

  Condition condition(String type) {
    return Conditions.find(sandbox.route().getStatus().conditions(), type);
  }

  @Test
  void uploadsOfEverySizeAndFramingArriveIntactThroughH1ToH2c() throws Exception {
    scenario(
        () -> {
          Random random = new Random(7);
          for (int size : new int[] {0, 1, 16_383, 16_384, 16_385, 65_535, 1 << 20, 64 << 20}) {
            byte[] body = new byte[size];
            random.nextBytes(body);
            String digest = HexFormat.of().formatHex(DemoBackends.sha256().digest(body));
            for (boolean chunked : new boolean[] {false, true}) {
              HttpRequest.BodyPublisher publisher =
                  chunked
                      ? HttpRequest.BodyPublishers.ofInputStream(
                          () -> new ByteArrayInputStream(body))
                      : HttpRequest.BodyPublishers.ofByteArray(body);
              String path = "/upload/" + size + (chunked ? "-chunked" : "-length");
              HttpResponse<String> stored =
                  Sandbox.send(http, Sandbox.request(ip(size % 4), path).POST(publisher).build());
              // upload-store answers only after END_STREAM, with what it received.
              assertThat(stored.statusCode()).as(path).isEqualTo(200);
              assertThat(stored.body())
                  .as(path)
                  .contains("sha256=" + digest)
                  .contains("bytes=" + size);
            }
          }
        });
  }

  @Test
  void anEditUnderLoadRollsOutWithinTheBatchAndFailsNoRequest() throws Exception {
    scenario(
        () -> {
          try (RolloutHistory history = new RolloutHistory(sandbox.client())) {
            String before = sandbox.route().getStatus().revision();
            Load load = new Load(100);
            load.start();
            AtomicBoolean sawReconciling = new AtomicBoolean();
            editRoute(
                r -> {
                  r.getSpec()
                      .rules()
                      .set(0, Sandbox.withRequestTimeout(r.getSpec().rules().get(0), "50s"));
                  return r;
                });
            await(
                () -> {
                  if ("True".equals(condition("Reconciling").getStatus())) {
                    sawReconciling.set(true);
                  }
                  return !before.equals(sandbox.route().getStatus().revision())
                      && sandbox.isReady();
                },
                60);
            load.stop();
            assertThat(sandbox.route().getStatus().revision()).isNotEqualTo(before);
            assertThat(condition("Ready").getStatus()).isEqualTo("True");
            assertThat(sawReconciling).as("Reconciling=True seen during the rollout").isTrue();
            assertThat(history.maxInFlight())
                .as("pods between assigned and applied (25 % of 4)")
                .isEqualTo(1);
            assertThat(load.sent()).isGreaterThan(100);
            assertThat(load.failed()).as(load.failures().toString()).isZero();
          }
        });
  }

  /**
   * Issue 21: the storefront backend scaled 2 → 8 → 1 and rolling-restarted (graceful pod
   * deletions: terminating endpoints, a preStop sleep, a graceful stop) under 200 concurrent GETs,
   * while a rollout with batchSize 1 and slow reloads is in progress. No GET fails; every sidecar
   * has each EndpointSlice write's endpoints within 1 s of it, whatever the batch and the reloads;
   * the rollout goes on pod by pod; no endpoint change is a revision.
   */
  @Test
  void backendChurnUnderLoadReachesEverySidecarWithinASecondAndLeavesTheRolloutAlone()
      throws Exception {
    scenario(
        () -> {
          StorefrontReplicas storefront = sandbox.storefront();
          try (EndpointPropagation propagation =
                  new EndpointPropagation(
                      sandbox.pods(), StorefrontReplicas.CLUSTER, sandbox.client());
              RolloutHistory history = new RolloutHistory(sandbox.client())) {
            int measuredFrom = storefront.writes().size();
            storefront.scaleTo(2, Duration.ZERO);
            await(
                () ->
                    sandbox.pods().stream()
                        .allMatch(
                            p ->
                                p.sidecar()
                                        .endpoints()
                                        .current()
                                        .of(StorefrontReplicas.CLUSTER)
                                        .size()
                                    == 2),
                10);
            String before = sandbox.route().getStatus().revision();
            sandbox.podRunner().slowReloads(CHURN_RELOAD);
            // The clients open their TLS connections over 2 s, as a fleet ramps up, not 200
            // handshakes in one instant on a 2-core machine.
            Load load = new Load(200, 10);
            load.start();
            await(() -> load.sent() >= 200, 30); // every client connected and answered once
            editRoute(
                r -> {
                  r.getSpec()
                      .rules()
                      .set(1, Sandbox.withRequestTimeout(r.getSpec().rules().get(1), "45s"));
                  return withBatchSize(r, 1);
                });
            await(() -> history.anyAssignedOtherThan(before), 30);
            long churnStarted = System.nanoTime();
            storefront.scaleTo(8, Duration.ofMillis(150));
            storefront.rollingRestart(2, Duration.ofMillis(250));
            storefront.scaleTo(1, Duration.ZERO);
            storefront.rollingRestart(1, Duration.ofMillis(250));
            storefront.awaitDeletions(Duration.ofSeconds(30));
            List<StorefrontReplicas.SliceWrite> writes = storefront.writes();
            long churnEnded = writes.get(writes.size() - 1).sentNanos();
            await(() -> history.allAppliedOtherThan(before, sandbox.pods()), 60);
            assertThat(sandbox.awaitReady(Duration.ofSeconds(30))).isTrue();
            load.stop();
            String after = sandbox.route().getStatus().revision();
            EndpointPropagation.Figures figures = propagation.measure(writes, measuredFrom);

            long firstAssigned = Long.MAX_VALUE;
            long lastApplied = Long.MIN_VALUE;
            for (PodRunner.RunningPod pod : sandbox.pods()) {
              firstAssigned = Math.min(firstAssigned, history.assignedAt(pod.name(), after));
              lastApplied = Math.max(lastApplied, history.appliedAt(pod.name(), after));
            }
            System.out.printf(
                "churn: %d EndpointSlice writes over %d ms during a rollout of %d ms (batch 1,"
                    + " reloads of %d ms); %s%n"
                    + "churn: %d GETs sent by 200 concurrent clients, %d failed: %s%n"
                    + "churn: revisions %s (before %s, after %s); updatedPods %s%n",
                writes.size() - measuredFrom,
                (churnEnded - churnStarted) / 1_000_000,
                (lastApplied - firstAssigned) / 1_000_000,
                CHURN_RELOAD.toMillis(),
                figures.summary(),
                load.sent(),
                load.failed(),
                load.kinds(),
                history.revisions(),
                before,
                after,
                history.updatedPods(after));

            // No GET failed.
            assertThat(load.sent()).isGreaterThan(1_000);
            assertThat(load.failed())
                .as("failed GETs by kind %s, first ones %s", load.kinds(), load.failures())
                .isZero();
            // Every sidecar had every write's endpoints within 1 s of the API server publishing
            // it. The whole time from the write is printed too: its API share is the embedded
            // API server's (one vert.x event loop, blocked for seconds when the machine is
            // overloaded), which a cluster's kube-apiserver does not share with the test.
            assertThat(propagation.strays()).as("documents no write produced").isEmpty();
            assertThat(figures.allReached()).as(figures.summary()).isTrue();
            assertThat(figures.maxAfterWatch()).as(figures.summary()).isLessThan(1_000);
            // The rollout went on pod by pod, the churn all within it.
            assertThat(after).isNotEqualTo(before);
            assertThat(churnEnded).as("the churn ended before the rollout").isLessThan(lastApplied);
            assertThat(history.maxInFlight()).as("pods between assigned and applied").isEqualTo(1);
            assertThat(history.updatedPods(after)).isSorted().endsWith(4);
            assertThat(history.sawReconciling()).isTrue();
            assertThat(condition("Ready").getStatus()).isEqualTo("True");
            // Only the edit made a revision: none of the endpoint changes did.
            assertThat(history.revisions()).containsExactlyInAnyOrder(before, after);
            assertThat(sandbox.pods())
                .allSatisfy(p -> assertThat(p.sidecar().generation().revision()).isEqualTo(after));
          }
        });
  }

  /** How long each sidecar's reload takes in the churn scenario: a rollout of seconds per pod. */
  static final Duration CHURN_RELOAD = Duration.ofSeconds(3);

  static ProxyRoute withBatchSize(ProxyRoute route, int batchSize) {
    ProxyRouteSpec spec = route.getSpec();
    RolloutPolicy rollout = spec.rollout();
    route.setSpec(
        new ProxyRouteSpec(
            spec.selector(),
            spec.listener(),
            spec.hostnames(),
            spec.rules(),
            new RolloutPolicy(
                new IntOrString(batchSize),
                rollout == null ? null : rollout.onFailure(),
                rollout == null ? null : rollout.progressDeadline()),
            spec.accessLog(),
            spec.tracing()));
    return route;
  }

  @Test
  void aStalledAgentDelaysNothingBeyondItsProcessingTimeoutAndTheRolloutCompletes()
      throws Exception {
    scenario(
        () -> {
          sandbox.agents().wafStallMillis = 5_000; // the WAF's processing timeout is 500 ms
          String before = sandbox.route().getStatus().revision();
          editRoute(
              r -> {
                r.getSpec()
                    .rules()
                    .set(0, Sandbox.withRequestTimeout(r.getSpec().rules().get(0), "40s"));
                return r;
              });
          List<Long> millis = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            long started = System.nanoTime();
            HttpResponse<String> answer =
                Sandbox.send(
                    http,
                    Sandbox.request(ip(i % 4), "/upload/while-stalled")
                        .POST(HttpRequest.BodyPublishers.ofString("x"))
                        .build());
            millis.add((System.nanoTime() - started) / 1_000_000);
            // failurePolicy Deny, denyStatus 503: the agent's silence is an answer in time.
            assertThat(answer.statusCode()).isEqualTo(503);
          }
          // The processing timeout is a promise kept by a timer: 500 ms plus this machine's
          // scheduling and TLS, never the agent's 5 s stall.
          assertThat(millis).allMatch(m -> m < 2_000, "each below 2 s: " + millis);
          assertThat(sandbox.awaitReady(Duration.ofSeconds(60))).isTrue();
          assertThat(sandbox.route().getStatus().revision()).isNotEqualTo(before);
        });
  }

  @Test
  void aConfigASidecarRejectsStallsRollsBackAndAFixRecovers() throws Exception {
    scenario(
        () -> {
          String good = sandbox.route().getStatus().revision();
          // Something else holds port 9443 on storefront-2's address: its sidecar cannot bind.
          try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(ip(1), 9443));
            editRoute(r -> withListenerPort(r, 9443));
            await(() -> "True".equals(condition("Stalled").getStatus()), 60);
            Condition stalled = condition("Stalled");
            assertThat(stalled.getReason()).isEqualTo("RolledBack");
            assertThat(stalled.getMessage())
                .startsWith("pod storefront-2 rejected revision")
                .contains("9443")
                .contains("returned to revision " + good);
            // storefront-3 and -4 never got the bad revision; 1 and 2 are back on the good one.
            String bad = sandbox.route().getStatus().revision();
            await(
                () ->
                    sandbox.client().pods().inNamespace("shop").list().getItems().stream()
                        .allMatch(
                            p ->
                                good.equals(
                                    p.getMetadata().getAnnotations().get(Labels.APPLIED_REVISION))),
                60);
            for (Pod p : sandbox.client().pods().inNamespace("shop").list().getItems()) {
              String name = p.getMetadata().getName();
              if (name.equals("storefront-3") || name.equals("storefront-4")) {
                assertThat(p.getMetadata().getAnnotations().get(Labels.ASSIGNED_REVISION))
                    .as(name + " untouched")
                    .isNotEqualTo(bad);
              }
            }
            HttpResponse<String> stillServing = Sandbox.send(http, Sandbox.get(ip(1), "/"));
            assertThat(stillServing.statusCode()).isEqualTo(200);
          }
          // A spec that works: the rollout goes through and Stalled clears.
          editRoute(r -> withListenerPort(r, 9444));
          assertThat(sandbox.awaitReady(Duration.ofSeconds(60))).isTrue();
          assertThat(condition("Stalled").getStatus()).isEqualTo("False");
          assertThat(
                  Sandbox.send(
                          http,
                          HttpRequest.newBuilder(java.net.URI.create("https://" + ip(1) + ":9444/"))
                              .header("Host", "shop.example.com")
                              .timeout(Duration.ofSeconds(30))
                              .build())
                      .statusCode())
              .isEqualTo(200);
        });
  }

  /**
   * An operator upgraded to a contract whose config the running sidecars cannot run as meant (here:
   * deny actions made a must-understand field of the next contract, one past the {@link
   * ContractVersions#CURRENT} these sidecars speak) sends them nothing: they keep their last good
   * config (its WAF deny still answers 403) and the route says how many pods, the field, the
   * contract and the remedy; the operator rolled back, all is well.
   */
  @Test
  void sidecarsTooOldForTheOperatorsConfigKeepTheirLastGoodOneAndTheRouteSaysWhy()
      throws Exception {
    scenario(
        () -> {
          String good = sandbox.route().getStatus().revision();
          // The last pod may still be applying the first rollout (a loaded machine): the scenario
          // starts from every sidecar on the good revision, having announced its contract.
          await(
              () ->
                  sandbox.client().pods().inNamespace("shop").list().getItems().stream()
                      .allMatch(
                          p ->
                              good.equals(
                                      p.getMetadata().getAnnotations().get(Labels.APPLIED_REVISION))
                                  && p.getMetadata().getAnnotations().containsKey(Labels.CONTRACT)),
              60);
          for (Pod p : sandbox.client().pods().inNamespace("shop").list().getItems()) {
            assertThat(p.getMetadata().getAnnotations())
                .as("what %s's sidecar announced", p.getMetadata().getName())
                .containsEntry(Labels.CONTRACT, String.valueOf(ContractVersions.CURRENT));
          }
          int newer = ContractVersions.CURRENT + 1;
          sandbox.restartOperator(
              ContractFields.CURRENT.with(
                  new ContractField(
                      "rules[].actions", newer, ContractField.Handling.MUST_UNDERSTAND)));

          await(() -> "True".equals(condition("Stalled").getStatus()), 60);
          Condition stalled = condition("Stalled");
          String target = sandbox.route().getStatus().revision();
          assertThat(target).isNotEqualTo(good);
          assertThat(stalled.getReason()).isEqualTo("SidecarContractTooOld");
          assertThat(stalled.getMessage())
              .isEqualTo(
                  "4 of 4 selected pods (storefront-1, storefront-2, storefront-3 and 1 more) run"
                      + " a sidecar that speaks contract "
                      + ContractVersions.CURRENT
                      + "; revision "
                      + target
                      + " uses rules[].actions, which needs contract "
                      + newer
                      + ". They keep their last good config; restart them to get the new sidecar"
                      + " image.");
          assertThat(condition("Ready").getReason()).isEqualTo("SidecarContractTooOld");
          for (Pod p : sandbox.client().pods().inNamespace("shop").list().getItems()) {
            assertThat(p.getMetadata().getAnnotations())
                .as(p.getMetadata().getName() + " keeps its last good config")
                .containsEntry(Labels.ASSIGNED_REVISION, good)
                .containsEntry(Labels.APPLIED_REVISION, good);
          }
          HttpResponse<String> blocked =
              Sandbox.send(
                  http,
                  Sandbox.request(ip(0), "/upload/attack")
                      .POST(HttpRequest.BodyPublishers.ofString("x"))
                      .build());
          assertThat(blocked.statusCode()).as("the WAF deny still runs").isEqualTo(403);
          assertThat(Sandbox.send(http, Sandbox.get(ip(0), "/")).statusCode()).isEqualTo(200);

          // The operator rolled back to this build's contract: nothing stands in the way.
          sandbox.restartOperator(ContractFields.CURRENT);
          assertThat(sandbox.awaitReady(Duration.ofSeconds(60))).isTrue();
          assertThat(condition("Stalled").getStatus()).isEqualTo("False");
          assertThat(sandbox.route().getStatus().revision()).isEqualTo(good);
        });
  }

  @Test
  void anOperatorRestartedMidRolloutResumesIt() throws Exception {
    scenario(
        () -> {
          String before = sandbox.route().getStatus().revision();
          // Two sidecars stop following the service, so the rollout cannot finish yet.
          sandbox.podRunner().pause("storefront-3");
          sandbox.podRunner().pause("storefront-4");
          editRoute(
              r -> {
                r.getSpec()
                    .rules()
                    .set(0, Sandbox.withRequestTimeout(r.getSpec().rules().get(0), "35s"));
                return r;
              });
          await(
              () -> {
                var rollout = sandbox.route().getStatus().rollout();
                return !before.equals(sandbox.route().getStatus().revision())
                    && rollout.updatedPods() == 2;
              },
              60);
          assertThat(condition("Reconciling").getStatus()).isEqualTo("True");
          sandbox.restartOperator();
          sandbox.podRunner().resume("storefront-3");
          sandbox.podRunner().resume("storefront-4");
          assertThat(sandbox.awaitReady(Duration.ofSeconds(60))).isTrue();
          assertThat(sandbox.route().getStatus().rollout().updatedPods()).isEqualTo(4);
        });
  }

  @Test
  void aMissingAgentIsAConditionUntilItExistsAndADeletedRouteLeavesThePods() throws Exception {
    scenario(
        () -> {
          apply(
              """
                  apiVersion: sluice.dev/v1alpha1
                  kind: ProxyRoute
                  metadata: {name: extra, namespace: shop}
                  spec:
                    selector: {matchLabels: {app: storefront}}
                    listener: {port: 9090}
                    rules:
                      - backend: {service: {name: storefront, port: 8080}}
                        offload: [{agent: bot-filter}]
                  """);
          await(() -> routeCondition("extra", "ResolvedRefs", "False"), 60);
          Condition refs = routeConditionValue("extra", "ResolvedRefs");
          assertThat(refs.getReason()).isEqualTo("AgentNotFound");
          assertThat(refs.getMessage())
              .contains("spec.rules[0].offload[0].agent")
              .contains("bot-filter");
          assertThat(routeConditionValue("extra", "Reconciling").getStatus()).isEqualTo("True");
          // The other route is not affected.
          assertThat(condition("Ready").getStatus()).isEqualTo("True");

          // A route the CRD's CEL rules refuse: the API refuses it with the rules' messages; one
          // stored before the CRD had them is left out by the operator with the field named (the
          // same rules, evaluated by the operator); the shop route carries on.
          String broken =
              """
              apiVersion: sluice.dev/v1alpha1
              kind: ProxyRoute
              metadata: {name: broken, namespace: shop}
              spec:
                selector: {matchLabels: {app: storefront}}
                listener: {port: 9091, protocol: HTTPS}
                rules: [{backend: {service: {name: storefront, port: 8080}}}]
                rollout: {batchSize: "0%"}
              """;
          assertThatThrownBy(() -> apply(broken))
              .isInstanceOfSatisfying(
                  KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
              .hasMessageContaining(
                  "ProxyRoute.sluice.dev \"broken\" is invalid: [spec.listener: Invalid value:"
                      + " \"object\": listener.tls is required when protocol is HTTPS");
          sandbox.beforeCrdUpgrade(() -> apply(broken));
          await(() -> routeCondition("broken", "Stalled", "True"), 60);
          assertThat(routeConditionValue("broken", "Accepted").getReason())
              .isEqualTo("InvalidSpec");
          assertThat(routeConditionValue("broken", "Accepted").getMessage())
              .startsWith(
                  "spec.listener: \"{\"port\":9091,\"protocol\":\"HTTPS\"}\" (expected:"
                      + " listener.tls is required when protocol is HTTPS");
          assertThat(condition("Ready").getStatus()).isEqualTo("True");
          assertThat(Sandbox.send(http, Sandbox.get(ip(0), "/")).statusCode()).isEqualTo(200);

          sandbox
              .client()
              .resources(ProxyRoute.class)
              .inNamespace("shop")
              .withName("extra")
              .delete();
          await(
              () ->
                  sandbox
                          .client()
                          .resources(ProxyRoute.class)
                          .inNamespace("shop")
                          .withName("extra")
                          .get()
                      == null,
              30);
          assertThat(sandbox.awaitReady(Duration.ofSeconds(30))).isTrue();
          assertThat(Sandbox.send(http, Sandbox.get(ip(0), "/")).statusCode()).isEqualTo(200);
        });
  }

  /** Creates the ProxyRoute in {@code yaml}, as kubectl apply would. */
  void apply(String yaml) {
    sandbox
        .client()
        .resource(
            io.fabric8.kubernetes.client.utils.Serialization.unmarshal(yaml, ProxyRoute.class))
        .create();
  }

  static ProxyRoute withListenerPort(ProxyRoute route, int port) {
    ProxyRouteSpec spec = route.getSpec();
    Listener l = spec.listener();
    route.setSpec(
        new ProxyRouteSpec(
            spec.selector(),
            new Listener(port, l.protocol(), l.tls(), l.limits(), l.http2()),
            spec.hostnames(),
            spec.rules(),
            spec.rollout(),
            spec.accessLog(),
            spec.tracing()));
    return route;
  }

  boolean routeCondition(String route, String type, String status) {
    Condition c = routeConditionValue(route, type);
    return c != null && status.equals(c.getStatus());
  }

  Condition routeConditionValue(String route, String type) {
    ProxyRoute r =
        sandbox.client().resources(ProxyRoute.class).inNamespace("shop").withName(route).get();
    return r == null || r.getStatus() == null
        ? null
        : Conditions.find(r.getStatus().conditions(), type);
  }

  static void await(java.util.concurrent.Callable<Boolean> condition, int seconds) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(seconds))
        .pollInterval(Duration.ofMillis(50))
        .until(condition);
  }

  /**
   * {@code concurrency} GETs in flight to the four pods until stopped (a bounded loop: at most a
   * million), each failure counted by its kind: the status and the first line of its body, or the
   * exception.
   */
  final class Load {
    private final int concurrency;
    private final Semaphore slots;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> kinds = new ConcurrentHashMap<>();
    private final long started = System.nanoTime();
    private Thread driver;

    private final long rampPauseMillis;

    Load(int concurrency) {
      this(concurrency, 0);
    }

    /** {@code rampPauseMillis}: the pause between the first {@code concurrency} requests. */
    Load(int concurrency, long rampPauseMillis) {
      this.concurrency = concurrency;
      this.slots = new Semaphore(concurrency);
      this.rampPauseMillis = rampPauseMillis;
    }

    void start() {
      driver =
          new Thread(
              () -> {
                for (int i = 0; running.get() && i < 1_000_000; i++) {
                  try {
                    slots.acquire();
                    if (i < concurrency && rampPauseMillis > 0) {
                      Thread.sleep(rampPauseMillis); // pacing: the clients' ramp-up
                    }
                  } catch (InterruptedException e) {
                    return;
                  }
                  String ip = ip(i % 4);
                  long sentAt = System.nanoTime();
                  CompletableFuture<HttpResponse<String>> answer =
                      http.sendAsync(
                          Sandbox.get(ip, "/under-load"), HttpResponse.BodyHandlers.ofString());
                  answer.whenComplete(
                      (r, e) -> {
                        sent.incrementAndGet();
                        if (e != null || r.statusCode() != 200) {
                          failed.incrementAndGet();
                          kinds
                              .computeIfAbsent(kindOf(r, e), k -> new AtomicInteger())
                              .incrementAndGet();
                          if (failures.size() < 10) {
                            long now = System.nanoTime();
                            failures.add(
                                "%s, sent at +%d ms, after %d ms: %s"
                                    .formatted(
                                        ip,
                                        (sentAt - started) / 1_000_000,
                                        (now - sentAt) / 1_000_000,
                                        e != null
                                            ? e.toString()
                                            : r.statusCode() + " " + r.body()));
                          }
                        }
                        slots.release();
                      });
                }
              },
              "load");
      driver.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      driver.join(10_000);
      slots.acquire(concurrency); // every request answered
    }

    int sent() {
      return sent.get();
    }

    int failed() {
      return failed.get();
    }

    List<String> failures() {
      return failures;
    }

    /** Failed requests by kind. */
    Map<String, Integer> kinds() {
      Map<String, Integer> counts = new java.util.TreeMap<>();
      kinds.forEach((k, v) -> counts.put(k, v.get()));
      return counts;
    }

    private static String kindOf(HttpResponse<String> response, Throwable error) {
      if (error != null) {
        Throwable cause =
            error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
      }
      String body = response.body() == null ? "" : response.body().strip();
      int end = body.indexOf('\n');
      return "HTTP " + response.statusCode() + " " + (end < 0 ? body : body.substring(0, end));
    }
  }
}
