package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.Listener;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteSpec;
import dev.sluice.operator.status.Conditions;
import dev.sluice.sidecar.config.ContractField;
import dev.sluice.sidecar.config.ContractFields;
import dev.sluice.sidecar.config.ContractVersions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rollouts when something goes wrong, and recovery: a stalled agent, a config a sidecar rejects
 * (stalled, rolled back, fixed), sidecars too old for the operator's config, an operator restarted
 * mid-rollout, a missing agent and a deleted route; asserted through status conditions and real
 * traffic.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES) // per scenario: a hang fails instead of stalling CI
class RolloutScenariosIT extends SandboxScenarios {
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
}
