package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, in-process: the whole system comes up on loopback, the shop example
 * is applied, four pods get real sidecars through the webhook, demo traffic (a 32 MiB h1 → h2c
 * upload checked by digest, a request the WAF blocks) passes, and a rolling reload under traffic
 * fails no request. Every check the sandbox prints must pass; the API then shows every pod on the
 * route's revision.
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
        new Sandbox(out, Path.of("../examples/shop"), work, SandboxNetwork.random())) {
      sandbox.run();
      String said = narration.toString(StandardCharsets.UTF_8);
      System.out.println(said);
      assertThat(sandbox.failures()).as("failed checks in:\n" + said).isZero();
      assertThat(said)
          .contains("ok   POST 32 MiB HTTP/1.1 -> h2c upload-store: 200, digest matches")
          .contains("blocked by policy")
          .contains("requests during the rollout, 0 failed");
      ProxyRoute route =
          sandbox.client().resources(ProxyRoute.class).inNamespace("shop").withName("shop").get();
      assertThat(Conditions.isTrue(route.getStatus().conditions(), "Ready")).isTrue();
      assertThat(route.getStatus().observedGeneration()).isEqualTo(2L);
      for (Pod pod : sandbox.client().pods().inNamespace("shop").list().getItems()) {
        assertThat(pod.getMetadata().getAnnotations())
            .containsEntry(Labels.APPLIED_REVISION, route.getStatus().revision());
      }
      assertThat(sandbox.pods()).hasSize(Sandbox.PODS).allMatch(p -> p.sidecar() != null);
    }
  }
}
