package dev.sluice.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.operator.testing.MutableClock;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.operator.testing.SimulatedSidecar;
import dev.sluice.sidecar.config.Backend;
import dev.sluice.sidecar.config.ContractVersions;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Invariant: HTTPRoutes whose parentRefs name a ProxyRoute give it their rules — after its own, in
 * Gateway API's precedence, with the route's hostnames intersected with the ProxyRoute's — on the
 * embedded API with Gateway API's v1.4.1 CRDs installed; each says so in its {@code status.parents}
 * entry (Accepted, ResolvedRefs with Gateway's reasons), other controllers' entries kept; a
 * backendRef that does not resolve gets its share answered 500 (the contract's {@code
 * unavailable}); deleting the HTTPRoute takes its rules away.
 */
class HttpRouteAttachmentIT {
  static final String NS = "shop";
  static final Duration WAIT = Duration.ofSeconds(30);

  static HTTPRoute httpRoute(KubernetesClient client, String yaml) {
    try {
      return new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
          .readValue(yaml, HTTPRoute.class);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<RouteParentStatus> parents(KubernetesClient client, String name) {
    HTTPRoute route = client.resources(HTTPRoute.class).inNamespace(NS).withName(name).get();
    return route == null || route.getStatus() == null || route.getStatus().getParents() == null
        ? List.of()
        : route.getStatus().getParents();
  }

  static Condition condition(RouteParentStatus parent, String type) {
    return parent.getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElse(null);
  }

  static List<String> ruleNames(SimulatedSidecar sidecar) {
    SidecarConfig config = sidecar.appliedConfig();
    return config == null ? List.of() : config.rules().stream().map(RouteRule::name).toList();
  }

  static RouteRule rule(SimulatedSidecar sidecar, String name) {
    return sidecar.appliedConfig().rules().stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void httpRoutesAttachInPrecedenceAndSayHowInTheirStatus() throws Exception {
    try (EmbeddedKubernetes cluster = new EmbeddedKubernetes();
        KubernetesClient operator = cluster.clientAs("sluice-operator-httproute-it");
        OperatorHarness harness =
            new OperatorHarness(
                cluster, new MutableClock(Instant.now()), operator, UnaryOperator.identity())) {
      cluster.installGatewayApi();
      KubernetesClient client = cluster.client();
      cluster.namespace(NS);
      client.resource(Objects.service(NS, "reviews-v1", 8080)).create();
      Service h2c = Objects.service(NS, "reviews-v2", 8080);
      client
          .resource(
              new ServiceBuilder(h2c)
                  .editSpec()
                  .editFirstPort()
                  .withAppProtocol("kubernetes.io/h2c")
                  .endPort()
                  .endSpec()
                  .build())
          .create();
      harness.start();
      Pod pod = client.resource(Objects.sidecarPod(NS, "web-1", Map.of("app", "web"))).create();
      SimulatedSidecar sidecar = harness.sidecar(pod, ContractVersions.CURRENT);
      client
          .resource(
              Objects.route(
                  """
                  apiVersion: sluice.dev/v1alpha1
                  kind: ProxyRoute
                  metadata: {name: web, namespace: shop}
                  spec:
                    selector: {matchLabels: {app: web}}
                    listener: {port: 8080}
                    hostnames: ["*.example.com"]
                    rules:
                      - name: health
                        matches: [{path: {type: Exact, value: /healthz}}]
                        backend: {service: {name: reviews-v1, port: 8080}}
                  """))
          .create();
      client
          .resource(
              httpRoute(
                  client,
                  """
                  apiVersion: gateway.networking.k8s.io/v1
                  kind: HTTPRoute
                  metadata: {name: reviews, namespace: shop}
                  spec:
                    parentRefs: [{group: sluice.dev, kind: ProxyRoute, name: web, sectionName: http}]
                    hostnames: [reviews.example.com, reviews.example.net]
                    rules:
                      - matches: [{path: {type: PathPrefix, value: /reviews}}]
                        backendRefs:
                          - {name: reviews-v1, port: 8080, weight: 90}
                          - {name: reviews-v2, port: 8080, weight: 10}
                      - matches: [{path: {type: PathPrefix, value: /ratings}}]
                        backendRefs: [{name: ratings, port: 8080}]
                  """))
          .create();
      // Attached after the ProxyRoute's own rule; the .net hostname does not intersect.
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(ruleNames(sidecar))
                      .containsExactly("web.health", "web.reviews.0", "web.reviews.1"));
      RouteRule split = rule(sidecar, "web.reviews.0");
      assertThat(split.matches()).hasSize(1);
      assertThat(split.matches().get(0).host()).isEqualTo("reviews.example.com");
      assertThat(split.matches().get(0).path().value()).isEqualTo("/reviews");
      assertThat(split.backends())
          .extracting(
              b -> b.weight() + " " + b.upstream().protocol() + " " + b.upstream().cluster())
          .containsExactly("90 HTTP1 shop/reviews-v1:http", "10 H2C shop/reviews-v2:http");
      Backend missing = rule(sidecar, "web.reviews.1").backends().get(0);
      assertThat(missing.upstream()).isNull();
      assertThat(missing.unavailable()).contains("spec.rules[1].backendRefs[0].name", "ratings");
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                List<RouteParentStatus> parents = parents(client, "reviews");
                assertThat(parents).hasSize(1);
                RouteParentStatus ours = parents.get(0);
                assertThat(ours.getControllerName()).isEqualTo(GatewayApi.CONTROLLER_NAME);
                assertThat(ours.getParentRef().getName()).isEqualTo("web");
                assertThat(condition(ours, "Accepted").getStatus()).isEqualTo("True");
                Condition refs = condition(ours, "ResolvedRefs");
                assertThat(refs.getStatus()).isEqualTo("False");
                assertThat(refs.getReason()).isEqualTo("BackendNotFound");
                assertThat(refs.getMessage())
                    .isEqualTo(
                        "spec.rules[1].backendRefs[0].name: \"ratings\" (expected: a Service in"
                            + " namespace shop)");
                assertThat(refs.getObservedGeneration()).isEqualTo(1L);
              });

      // A later route with an Exact path comes first; the Service appearing resolves the refs.
      client
          .resource(
              httpRoute(
                  client,
                  """
                  apiVersion: gateway.networking.k8s.io/v1
                  kind: HTTPRoute
                  metadata: {name: top-reviews, namespace: shop}
                  spec:
                    parentRefs: [{group: sluice.dev, kind: ProxyRoute, name: web}]
                    hostnames: [reviews.example.com]
                    rules:
                      - name: top
                        matches: [{path: {type: Exact, value: /reviews/top}}]
                        backendRefs: [{name: reviews-v2, port: 8080}]
                  """))
          .create();
      client.resource(Objects.service(NS, "ratings", 8080)).create();
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(ruleNames(sidecar))
                      .containsExactly(
                          "web.health", "web.top-reviews.top", "web.reviews.0", "web.reviews.1"));
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          condition(parents(client, "reviews").get(0), "ResolvedRefs").getStatus())
                      .isEqualTo("True"));
      // The parent counts the routes it accepted, as a Gateway listener's attachedRoutes.
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          client
                              .resources(dev.sluice.api.v1alpha1.ProxyRoute.class)
                              .inNamespace(NS)
                              .withName("web")
                              .get()
                              .getStatus()
                              .attachedRoutes())
                      .isEqualTo(2));

      // Settled: passes that change nothing write nothing (no status write feeding a new pass).
      cluster.takeRequests();
      client.resource(Objects.service(NS, "unrelated", 80)).create(); // a pass of the namespace
      java.util.List<String> writes = new java.util.ArrayList<>();
      await()
          .during(Duration.ofSeconds(2))
          .atMost(WAIT)
          .until(
              () -> {
                cluster.takeRequests().stream()
                    .filter(r -> r.getPath().contains("/httproutes/"))
                    .filter(r -> !"GET".equals(String.valueOf(r.method())))
                    .forEach(r -> writes.add(r.method() + " " + r.getPath()));
                return writes.isEmpty();
              });

      // Deleting a route takes its rules away.
      client.resources(HTTPRoute.class).inNamespace(NS).withName("top-reviews").delete();
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(ruleNames(sidecar))
                      .containsExactly("web.health", "web.reviews.0", "web.reviews.1"));
    }
  }

  @Test
  void aParentThatDoesNotAcceptTheRouteSaysWhyAndOtherControllersEntriesStay() throws Exception {
    try (EmbeddedKubernetes cluster = new EmbeddedKubernetes();
        OperatorHarness harness = new OperatorHarness(cluster, new MutableClock(Instant.now()))) {
      cluster.installGatewayApi();
      KubernetesClient client = cluster.client();
      cluster.namespace(NS);
      client.resource(Objects.service(NS, "reviews-v1", 8080)).create();
      client
          .resource(
              Objects.route(
                  """
                  apiVersion: sluice.dev/v1alpha1
                  kind: ProxyRoute
                  metadata: {name: web, namespace: shop}
                  spec:
                    selector: {matchLabels: {app: web}}
                    listener: {port: 8443, protocol: HTTPS, tls: {secretName: web-tls}}
                    hostnames: [shop.example.com]
                    rules: []
                  """))
          .create();
      HTTPRoute created =
          client
              .resource(
                  httpRoute(
                      client,
                      """
                      apiVersion: gateway.networking.k8s.io/v1
                      kind: HTTPRoute
                      metadata: {name: many, namespace: shop}
                      spec:
                        parentRefs:
                          - {name: edge}
                          - {group: sluice.dev, kind: ProxyRoute, name: web, sectionName: http}
                          - {group: sluice.dev, kind: ProxyRoute, name: gone}
                          - {group: sluice.dev, kind: ProxyRoute, name: web, namespace: other}
                        hostnames: [shop.example.net]
                        rules:
                          - backendRefs: [{name: reviews-v1, port: 8080}]
                      """))
              .create();
      // Another implementation's entry for the Gateway parent.
      RouteParentStatus theirs =
          new RouteParentStatusBuilder()
              .withNewParentRef()
              .withGroup("gateway.networking.k8s.io")
              .withKind("Gateway")
              .withName("edge")
              .endParentRef()
              .withControllerName("example.com/gateway-controller")
              .withConditions(
                  new io.fabric8.kubernetes.api.model.ConditionBuilder()
                      .withType("Accepted")
                      .withStatus("True")
                      .withReason("Accepted")
                      .withMessage("theirs")
                      .withLastTransitionTime("2026-12-01T00:00:00Z")
                      .withObservedGeneration(1L)
                      .build())
              .build();
      var json = new com.fasterxml.jackson.databind.ObjectMapper();
      var patch = json.createArrayNode();
      patch
          .addObject()
          .put("op", "add")
          .put("path", "/status")
          .set("value", json.createObjectNode().set("parents", json.valueToTree(List.of(theirs))));
      client
          .resources(HTTPRoute.class)
          .inNamespace(NS)
          .withName(created.getMetadata().getName())
          .subresource("status")
          .patch(
              io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                  io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
              json.writeValueAsString(patch));
      harness.start();
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                List<RouteParentStatus> parents = parents(client, "many");
                assertThat(parents).hasSize(4);
                assertThat(parents.get(0)).isEqualTo(theirs);
                assertThat(parents.subList(1, 4))
                    .extracting(
                        p ->
                            p.getParentRef().getName()
                                + " "
                                + condition(p, "Accepted").getStatus()
                                + " "
                                + condition(p, "Accepted").getReason()
                                + ": "
                                + condition(p, "Accepted").getMessage())
                    .containsExactly(
                        "web False NoMatchingParent: spec.parentRefs[1].sectionName: \"http\""
                            + " (expected: \"https\", the name of ProxyRoute web's listener)",
                        "gone False NoMatchingParent: spec.parentRefs[2].name: \"gone\" (expected:"
                            + " a ProxyRoute in namespace shop)",
                        "web False NotAllowedByListeners: spec.parentRefs[3].namespace: \"other\""
                            + " (expected: the HTTPRoute's namespace shop: a ProxyRoute accepts"
                            + " HTTPRoutes of its own namespace only)");
              });
      // Fixing the section name meets the hostname check.
      HTTPRoute current = client.resources(HTTPRoute.class).inNamespace(NS).withName("many").get();
      current.getSpec().getParentRefs().get(1).setSectionName("https");
      client.resource(current).update();
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                RouteParentStatus web = parents(client, "many").get(1);
                assertThat(condition(web, "Accepted").getReason())
                    .isEqualTo("NoMatchingListenerHostname");
                assertThat(condition(web, "Accepted").getMessage())
                    .isEqualTo(
                        "spec.hostnames: \"shop.example.net\" (expected: a hostname that intersects"
                            + " with ProxyRoute web's spec.hostnames [shop.example.com])");
                assertThat(condition(web, "Accepted").getObservedGeneration()).isEqualTo(2L);
                assertThat(parents(client, "many").get(0)).isEqualTo(theirs);
              });
      // Detached from every ProxyRoute: this controller's entries go, the other one's stays.
      current = client.resources(HTTPRoute.class).inNamespace(NS).withName("many").get();
      current.getSpec().setParentRefs(List.of(current.getSpec().getParentRefs().get(0)));
      client.resource(current).update();
      await()
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(parents(client, "many")).containsExactly(theirs));
    }
  }
}
