package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.cli.check.OperatorAccess;
import dev.sluice.operator.certs.Certificates;
import dev.sluice.operator.pods.AgentHealthRecord;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: the {@code kubectl sluice} commands the sandbox prints for its user, run as printed
 * through the installed plugin (launcher and jar), tell the truth about the sandbox as its user
 * runs it, the shop, the canary and the HTTPRoutes' example applied — {@code status} every pod on
 * the routes' revision and the three routes (shop, shop-gateway, storefront-canary) Ready, {@code
 * config} the pod's rendered config without its TLS key and no difference to diff, {@code check}
 * each check as the sandbox's install really is — and follow it when an edit rolls out.
 *
 * <p>One sandbox for the class. Each test reads what it expects from the API when it runs; the one
 * that edits the route leaves it rolled out, Ready, every pod following the config service.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KubectlSluiceIT {
  static final YAMLMapper YAML = new YAMLMapper();

  @TempDir static Path work;
  static Sandbox sandbox;
  static PluginOnPath plugin;
  static final ByteArrayOutputStream narration = new ByteArrayOutputStream();

  /** What the sandbox printed for its user to try, by command. */
  static String status;

  static String config;
  static String diff;
  static String check;

  /** The pod whose config the printed commands show. */
  static String pod;

  @BeforeAll
  static void startTheSandboxAndReadWhatItPrints() throws Exception {
    SandboxMain.allowHostHeaderAndIpTargets();
    plugin = PluginOnPath.install(work.resolve("plugin"));
    sandbox =
        new Sandbox(
            new PrintStream(narration, true, StandardCharsets.UTF_8),
            List.of(
                PluginOnPath.ROOT.resolve("examples/shop"),
                PluginOnPath.ROOT.resolve("examples/canary"),
                PluginOnPath.ROOT.resolve("examples/httproute")),
            work.resolve("sandbox"),
            SandboxNetwork.random());
    sandbox.start();
    assertThat(sandbox.failures()).as("failed checks in:\n" + said()).isZero();
    int before = narration.size();
    sandbox.printAddresses();
    List<String> printed =
        narration
            .toString(StandardCharsets.UTF_8)
            .substring(before)
            .lines()
            .map(String::strip)
            .filter(l -> l.startsWith("kubectl sluice "))
            .toList();
    pod = sandbox.pods().get(0).name();
    String kubeconfig = " --kubeconfig " + sandbox.kubeconfig();
    assertThat(printed)
        .as(said())
        .containsExactly(
            "kubectl sluice status -n shop" + kubeconfig,
            "kubectl sluice config " + pod + " -n shop" + kubeconfig,
            "kubectl sluice config " + pod + " -n shop --diff" + kubeconfig,
            "kubectl sluice check" + kubeconfig);
    status = printed.get(0);
    config = printed.get(1);
    diff = printed.get(2);
    check = printed.get(3);
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  static String said() {
    return narration.toString(StandardCharsets.UTF_8);
  }

  /**
   * Runs {@code command}; when the plugin could not do its job at all (exit 2: the API unreachable,
   * a flag refused), prints the sandbox's story and the route's status too.
   */
  static PluginOnPath.Run run(String command) throws Exception {
    PluginOnPath.Run run = plugin.run(command);
    if (run.exitCode() != 0 && run.exitCode() != 1) {
      System.out.println(said());
      System.out.println(sandbox.diagnostics());
    }
    return run;
  }

  @Test
  void statusListsEveryPodOnTheRoutesRevisionAndTheRouteReady() throws Exception {
    ProxyRoute route = sandbox.route();
    String revision = route.getStatus().revision();
    // Each sidecar reports its agents' health once it has checked them: wait for that to be
    // recorded, so status has it to show.
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                sandbox.client().pods().inNamespace("shop").list().getItems().stream()
                    .map(AgentHealthRecord::of)
                    .allMatch(KubectlSluiceIT::everyAgentUp));

    PluginOnPath.Run run = run(status);

    assertThat(run.exitCode()).as(run.said()).isZero();
    assertThat(run.err()).as(run.said()).isEmpty();
    assertThat(run.out().lines().filter(l -> l.startsWith("ProxyRoute ")))
        .as("one block per route, by name")
        .hasSize(3)
        .satisfiesExactly(
            l -> assertThat(l).startsWith("ProxyRoute shop/shop "),
            l -> assertThat(l).startsWith("ProxyRoute shop/" + HttpRouteTraffic.PARENT + " "),
            l -> assertThat(l).startsWith("ProxyRoute shop/storefront-canary "));
    StatusOutput out = new StatusOutput(run.out()).route("shop");
    assertThat(out.header()).isEqualTo(header(route, revision));
    assertThat(out.condition("Ready")).as(run.said()).startsWith("Ready", "True");
    for (String type : List.of("Accepted", "ResolvedRefs", "Programmed")) {
      assertThat(out.condition(type)).as(run.said()).startsWith(type, "True");
    }
    for (String type : List.of("Reconciling", "Stalled")) {
      assertThat(out.condition(type)).as(run.said()).startsWith(type, "False");
    }
    assertThat(run.out())
        .contains(
            "  Rollout: target "
                + revision
                + ", last good "
                + revision
                + "; pods selected 4, updated 4, ready 4, failed 0\n");
    for (PodRunner.RunningPod running : sandbox.pods()) {
      List<String> row = out.pod(running.name());
      assertThat(row.subList(0, 7))
          .as(run.said())
          .containsExactly(
              running.name(), "true", "current", revision, revision, revision, "Applied");
      assertThat(String.join(" ", row)).contains("iprep 1/1").contains("waf 1/1");
      assertThat(run.out()).contains("  " + running.name() + ": Applied revision " + revision);
    }
    assertThat(run.out()).doesNotContain("next: ");
    for (String other : List.of(CanaryTraffic.ROUTE, HttpRouteTraffic.PARENT)) {
      routeCurrent(new StatusOutput(run.out()).route(other), other, revision, run);
    }

    PluginOnPath.Run unknown =
        run("kubectl sluice status nope -n shop --kubeconfig " + sandbox.kubeconfig());
    assertThat(unknown.exitCode()).as(unknown.said()).isEqualTo(1);
    assertThat(unknown.out()).isEmpty();
    assertThat(unknown.err())
        .isEqualTo(
            "kubectl sluice: ProxyRoute \"nope\" not found in namespace shop (expected: a route"
                + " that kubectl get proxyroutes -n shop lists)\n");
  }

  /**
   * Another route's block (the canary's, the HTTPRoutes' parent's): Ready on the same revision as
   * the shop's (one config per pod holds every route), every pod current on it.
   */
  static void routeCurrent(StatusOutput block, String name, String revision, PluginOnPath.Run run) {
    assertThat(block.header()).isEqualTo(header(sandbox.route(name), revision));
    assertThat(block.condition("Ready")).as(run.said()).startsWith("Ready", "True");
    for (PodRunner.RunningPod running : sandbox.pods()) {
      assertThat(block.pod(running.name()).subList(0, 7))
          .as(run.said())
          .containsExactly(
              running.name(), "true", "current", revision, revision, revision, "Applied");
    }
  }

  /** A route's first line in {@code status}: on {@code revision}, its generation observed. */
  static String header(ProxyRoute route, String revision) {
    long generation = route.getMetadata().getGeneration();
    return "ProxyRoute shop/"
        + route.getMetadata().getName()
        + "  revision "
        + revision
        + "  generation "
        + generation
        + " (observed "
        + generation
        + ")";
  }

  static boolean everyAgentUp(Map<String, AgentHealthRecord.Endpoints> health) {
    return health.keySet().containsAll(List.of("waf", "iprep"))
        && health.values().stream().allMatch(e -> e.endpoints() == 1 && e.available() == 1);
  }

  @Test
  void configShowsTheRevisionThePodRunsWithoutItsKeyAndNothingToDiff() throws Exception {
    String revision = sandbox.route().getStatus().revision();
    PodRunner.RunningPod running = sandbox.pods().get(0);
    assertThat(running.sidecar().generation().revision())
        .as("the revision the sidecar runs")
        .isEqualTo(revision);
    Secret tls = sandbox.client().secrets().inNamespace("shop").withName("shop-tls").get();

    PluginOnPath.Run run = run(config);

    assertThat(run.exitCode()).as(run.said()).isZero();
    assertThat(run.err()).as(run.said()).isEmpty();
    String first = run.out().lines().findFirst().orElseThrow();
    assertThat(first).isEqualTo("# pod shop/" + pod + ": revision " + revision + " (applied)");
    JsonNode shown = YAML.readTree(run.out().substring(first.length() + 1));
    assertThat(shown.path("revision").asText()).isEqualTo(revision);
    JsonNode listenerTls = shown.path("listeners").path(0).path("tls");
    assertThat(listenerTls.path("certificatePem").asText())
        .as("the certificate of Secret shop-tls, shown")
        .isEqualTo(decoded(tls, "tls.crt"));
    assertThat(listenerTls.path("privateKeyPem").asText()).isEqualTo("<redacted>");
    assertThat(run.out()).doesNotContain("PRIVATE KEY");
    for (String keyLine : decoded(tls, "tls.key").lines().toList()) {
      if (!keyLine.startsWith("-----")) {
        assertThat(run.out()).as("a line of the TLS key").doesNotContain(keyLine);
      }
    }

    PluginOnPath.Run none = run(diff);
    assertThat(none.exitCode()).as(none.said()).isZero();
    assertThat(none.out())
        .isEqualTo(
            "pod shop/" + pod + " runs its assigned revision " + revision + ": nothing to diff.\n");

    PluginOnPath.Run unknown =
        run("kubectl sluice config nope -n shop --kubeconfig " + sandbox.kubeconfig());
    assertThat(unknown.exitCode()).as(unknown.said()).isEqualTo(1);
    assertThat(unknown.err())
        .isEqualTo(
            "kubectl sluice: pod \"nope\" not found in namespace shop (expected: a pod name)\n");
  }

  static String decoded(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  /**
   * Every check passes on the sandbox, each found as the sandbox has it: the CRDs the embedded API
   * registers; operator/deploy's webhook registration (two webhooks), the operator's Service with
   * its one loopback endpoint, the caBundle the operator patched in (its CA's expiry) and the
   * serving certificate in its TLS Secret; the RBAC of operator/deploy, decided by the embedded
   * API's RBAC authorizer; the shop namespace labelled for injection; Kubernetes 1.32 (native
   * sidecars) on the API's /version.
   */
  @Test
  void checkFindsWhatTheSandboxInstalled() throws Exception {
    Secret operatorTls =
        sandbox
            .client()
            .secrets()
            .inNamespace(SandboxCluster.SYSTEM)
            .withName("sluice-operator-tls")
            .get();
    String caExpires =
        Certificates.certificate(sandbox.operatorCa()).getNotAfter().toInstant().toString();
    String servingExpires =
        Certificates.certificate(decoded(operatorTls, "tls.crt"))
            .getNotAfter()
            .toInstant()
            .toString();

    PluginOnPath.Run run = run(check);

    assertThat(run.exitCode()).as(run.said()).isZero();
    assertThat(run.err()).as(run.said()).isEmpty();
    List<String> lines = run.out().lines().toList();
    assertThat(lines)
        .as(run.said())
        .satisfiesExactly(
            l ->
                assertThat(l)
                    .matches(
                        pass(
                            "CRD proxyroutes.sluice.dev",
                            "served: v1alpha1,v1alpha2; stored: v1alpha1; converted by"
                                + " sluice-system/sluice-operator:9443/convert")),
            l ->
                assertThat(l)
                    .matches(
                        pass("CRD offloadagents.sluice.dev", "served: v1alpha1; stored: v1alpha1")),
            l ->
                assertThat(l)
                    .matches(
                        pass(
                            "Gateway API",
                            "HTTPRoute served: v1,v1beta1; release v1.4.1 (standard)")),
            l ->
                assertThat(l)
                    .matches(
                        pass(
                            "webhook sluice-sidecar-injector",
                            "2 webhooks: namespaces.inject.sluice.dev, pods.inject.sluice.dev")),
            l ->
                assertThat(l)
                    .matches(
                        pass("webhook service sluice-system/sluice-operator", "1 ready endpoint")),
            l ->
                assertThat(l)
                    .matches(
                        pass(
                            "webhook caBundle",
                            "1 CA certificate, expires "
                                + caExpires
                                + " (in {days} days); matches ca.crt of Secret"
                                + " sluice-system/sluice-operator-tls")),
            l ->
                assertThat(l)
                    .matches(
                        pass(
                            "serving certificate",
                            "Secret sluice-system/sluice-operator-tls: expires "
                                + servingExpires
                                + " (in {days} days)")),
            l ->
                assertThat(l)
                    .matches(
                        pass(
                            "operator RBAC",
                            "ServiceAccount sluice-system/sluice-operator holds all "
                                + OperatorAccess.REQUIRED.size()
                                + " permissions it needs")),
            l ->
                assertThat(l)
                    .matches(
                        pass("injection namespaces", "1 labelled sluice.dev/inject=enabled: shop")),
            l ->
                assertThat(l)
                    .matches(
                        pass(
                            "native sidecars",
                            "Kubernetes 1.32: supported (the sidecar starts before the app)")),
            l -> assertThat(l).isEqualTo("Verdict: pass (10 checks, 0 warnings)"));
  }

  /**
   * A regex for a PASS line of {@code check}: its name, padding, then {@code message}, in which
   * {@code {days}} stands for a number of days (they pass while the test runs).
   */
  static String pass(String check, String message) {
    return "PASS  "
        + Pattern.quote(check)
        + " +"
        + Pattern.quote(message).replace("{days}", "\\E\\d+\\Q");
  }

  /**
   * An edit with one pod's sidecar not following the config service: status shows that pod behind
   * (assigned the new revision, applied and last good the old) with the route not Ready, and {@code
   * config --diff} shows the edit; once the sidecar follows again, status shows every pod current
   * on the new revision and the route Ready.
   */
  @Test
  void statusAndConfigFollowAnEdit() throws Exception {
    String before = sandbox.route().getStatus().revision();
    String timeout = "41s";
    String was = sandbox.route().getSpec().rules().get(0).timeouts().request();
    sandbox.podRunner().pause(pod);
    String after;
    try {
      sandbox.editRoute(
          r -> {
            r.getSpec()
                .rules()
                .set(0, Sandbox.withRequestTimeout(r.getSpec().rules().get(0), timeout));
            return r;
          });
      // The rollout reaches the paused pod (one at a time; it may be the first or the last).
      after =
          Awaitility.await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> {
                    String target = sandbox.route().getStatus().revision();
                    Pod paused = sandbox.client().pods().inNamespace("shop").withName(pod).get();
                    return !before.equals(target)
                            && target.equals(
                                paused.getMetadata().getAnnotations().get(Labels.ASSIGNED_REVISION))
                        ? target
                        : null;
                  },
                  Objects::nonNull);

      PluginOnPath.Run behind = run(status);
      assertThat(behind.exitCode()).as(behind.said()).isZero();
      StatusOutput out = new StatusOutput(behind.out()).route("shop");
      assertThat(out.header()).as(behind.said()).contains("revision " + after);
      assertThat(out.condition("Ready")).as(behind.said()).startsWith("Ready", "False");
      assertThat(out.condition("Reconciling")).as(behind.said()).startsWith("Reconciling", "True");
      assertThat(out.pod(pod).subList(0, 6))
          .as(behind.said())
          .containsExactly(pod, "true", "behind", after, before, before);
      assertThat(behind.out())
          .contains("  " + pod + ": assigned " + after + " ")
          .contains("    next: kubectl sluice config " + pod + " -n shop --diff\n");

      PluginOnPath.Run edit = run(diff);
      assertThat(edit.exitCode()).as(edit.said()).isZero();
      assertThat(edit.out())
          .as(edit.said())
          .startsWith(
              "--- revision " + before + " (applied)\n+++ revision " + after + " (assigned)\n")
          .contains("\n-revision: " + before + "\n+revision: " + after + "\n")
          .contains("\n-    request: " + was + "\n+    request: " + timeout + "\n");
    } finally {
      sandbox.podRunner().resume(pod);
    }

    assertThat(sandbox.awaitReady(Duration.ofSeconds(60))).as(sandbox.diagnostics()).isTrue();
    PluginOnPath.Run current = run(status);
    assertThat(current.exitCode()).as(current.said()).isZero();
    StatusOutput out = new StatusOutput(current.out()).route("shop");
    assertThat(out.condition("Ready")).as(current.said()).startsWith("Ready", "True");
    for (PodRunner.RunningPod running : sandbox.pods()) {
      assertThat(out.pod(running.name()).subList(0, 6))
          .as(current.said())
          .containsExactly(running.name(), "true", "current", after, after, after);
    }
    PluginOnPath.Run nothing = run(diff);
    assertThat(nothing.out()).as(nothing.said()).endsWith(after + ": nothing to diff.\n");
  }

  /** {@code status}'s table output, read by its columns (none of the first six holds a space). */
  record StatusOutput(String text) {
    /** The block of route {@code name} (namespace shop), which a blank line ends. */
    StatusOutput route(String name) {
      String header = "ProxyRoute shop/" + name + " ";
      int start = text.startsWith(header) ? 0 : text.indexOf("\n" + header) + 1;
      if (start == 0 && !text.startsWith(header)) {
        throw new AssertionError("no route " + name + " in:\n" + text);
      }
      int end = text.indexOf("\n\n", start);
      return new StatusOutput(text.substring(start, end < 0 ? text.length() : end + 1));
    }

    String header() {
      return text.lines().findFirst().orElse("");
    }

    /** The condition's row: TYPE, STATUS, REASON, ... */
    List<String> condition(String type) {
      return row(type);
    }

    /** The pod's row: POD, READY, STATE, ASSIGNED, APPLIED, LAST-GOOD, REPORT, AGE, AGENTS. */
    List<String> pod(String name) {
      return row(name);
    }

    private List<String> row(String first) {
      return text.lines()
          .map(String::strip)
          .filter(l -> l.startsWith(first + " "))
          .findFirst()
          .map(l -> List.of(l.split("\\s+")))
          .orElseThrow(() -> new AssertionError("no row " + first + " in:\n" + text));
    }
  }
}
