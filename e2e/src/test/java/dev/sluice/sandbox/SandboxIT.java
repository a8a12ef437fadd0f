package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, in-process: the whole system comes up on loopback, the shop and
 * canary examples are applied, four pods get real sidecars through the webhook, demo traffic (a 32
 * MiB h1 → h2c upload checked by digest, a request the WAF blocks) passes, the canary route
 * (written in sluice.dev/v1alpha2) splits within its statistical bound, honours the opt-in header,
 * redirects and rate-limits, examples/httproute's HTTPRoutes attach to their parent ProxyRoute
 * (status, a redirect, the catch-all's header, an h2c upload seeing the header the route adds, 404
 * for another host, detached and attached again), and a rolling reload under traffic fails no
 * request. Every check the sandbox prints must pass; the API then shows the three routes Ready on
 * one revision, every pod on it, and HTTPRoute uploads attached again.
 */
class SandboxIT {
  @TempDir Path work;

  @BeforeAll
  static void clientSettings() {
    SandboxMain.allowHostHeaderAndIpTargets();
  }

  @Test
  void theSandboxRunsTheWholeDemo() throws Exception {
    ByteArrayOutputStream narration = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(narration, true, StandardCharsets.UTF_8);
    try (Sandbox sandbox =
        new Sandbox(
            out,
            List.of(
                Path.of("../examples/shop"),
                Path.of("../examples/canary"),
                Path.of("../examples/httproute")),
            work,
            SandboxNetwork.random())) {
      sandbox.run();
      String said = narration.toString(StandardCharsets.UTF_8);
      System.out.println(said);
      assertThat(sandbox.failures()).as("failed checks in:\n" + said).isZero();
      assertThat(said)
          .contains("ok   POST 32 MiB HTTP/1.1 -> h2c upload-store: 200, digest matches")
          .contains("blocked by policy")
          .contains("requests during the rollout, 0 failed")
          .contains("[7/9] The canary (examples/canary, sluice.dev/v1alpha2)")
          .contains("ok   ProxyRoute storefront-canary (sluice.dev/v1alpha2) is Ready")
          .contains("ok   split: 1000 GETs from 10 client addresses over 4 pods: ")
          .contains(
              "ok   opt-in: 20 GETs with x-canary: always -> 20 answered by storefront-canary")
          .contains(
              "ok   redirect: GET http://shop.example.com:9080/catalog/shoes?color=red -> 301"
                  + " Location: http://shop.example.com:9080/products/shoes?color=red")
          .containsPattern(
              "ok   rate limit \\(50/Second, burst 100, per client address\\) from 127\\.\\d+\\.40\\.12"
                  + " via storefront-1: \\d+ admitted in .* then 429 with Retry-After: \\d+");
      assertThat(said)
          .contains("ok   ProxyRoute shop-gateway (the HTTPRoutes' parent) is Ready")
          .contains("[8/9] HTTPRoutes attached to a ProxyRoute (examples/httproute, Gateway API)")
          .contains(
              "ok   HTTPRoute storefront status.parents[0]: controllerName"
                  + " sluice.dev/proxyroute-controller, Accepted=True (Accepted),"
                  + " ResolvedRefs=True (ResolvedRefs)")
          .contains(
              "ok   HTTPRoute uploads status.parents[0]: controllerName"
                  + " sluice.dev/proxyroute-controller, Accepted=True (Accepted),"
                  + " ResolvedRefs=True (ResolvedRefs)")
          .containsPattern(
              "ok   redirect: GET /catalog/shoes via storefront-1 -> 301 Location: \\S+"
                  + "/products/shoes ")
          .contains(
              "ok   GET / via storefront-2 -> 200 storefront: hello, /, x-served-by: sluice"
                  + " (rule pages)")
          .contains(
              "ok   POST /upload/gateway.bin (1 MiB) via storefront-3 -> 200 from upload-store"
                  + " (h2c): digest matches, it saw x-upload-via: gateway (rule upload)")
          .contains("ok   GET / with Host www.example.org via storefront-4 -> 404")
          .contains("ok   HTTPRoute uploads deleted: ProxyRoute shop-gateway Ready on revision")
          .contains(
              "ok   POST /upload/gateway.bin via storefront-1 -> 200 storefront: hello,"
                  + " /upload/gateway.bin, x-served-by: sluice (rule pages)")
          .contains(
              "ok   HTTPRoute uploads created again from its file: ProxyRoute shop-gateway Ready")
          .contains(
              "ok   POST /upload/gateway.bin (1 MiB) via storefront-2 -> 200 from upload-store")
          .contains("[9/9] Rolling reload");
      HTTPRoute uploads =
          sandbox
              .client()
              .resources(HTTPRoute.class)
              .inNamespace("shop")
              .withName(HttpRouteTraffic.UPLOADS)
              .get();
      assertThat(uploads.getStatus().getParents())
          .as("attached again, as the API has it")
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.getControllerName()).isEqualTo("sluice.dev/proxyroute-controller");
                assertThat(Conditions.isTrue(p.getConditions(), "Accepted")).isTrue();
                assertThat(Conditions.isTrue(p.getConditions(), "ResolvedRefs")).isTrue();
              });
      assertThat(sandbox.canaryAnswered())
          .as("requests the canary's stand-in answered: some of the split, the opt-in's")
          .isGreaterThan(20);
      ProxyRoute route = sandbox.route();
      assertThat(Conditions.isTrue(route.getStatus().conditions(), "Ready")).isTrue();
      assertThat(route.getStatus().observedGeneration()).isEqualTo(2L);
      // The demo ends once shop is Ready; the same pass writes the other routes' status after it.
      for (String other : List.of(CanaryTraffic.ROUTE, HttpRouteTraffic.PARENT)) {
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  ProxyRoute r = sandbox.route(other);
                  assertThat(Conditions.isTrue(r.getStatus().conditions(), "Ready"))
                      .as("%s Ready", other)
                      .isTrue();
                  assertThat(r.getStatus().revision()).isEqualTo(route.getStatus().revision());
                });
      }
      for (Pod pod : sandbox.client().pods().inNamespace("shop").list().getItems()) {
        assertThat(pod.getMetadata().getAnnotations())
            .containsEntry(Labels.APPLIED_REVISION, route.getStatus().revision());
      }
      assertThat(sandbox.pods()).hasSize(Sandbox.PODS).allMatch(p -> p.sidecar() != null);
    }
  }
}
