package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl sluice config} prints the config the operator stored for the revision a pod
 * applied, never a private key, and diffs it against the revision the pod is assigned.
 */
class ConfigIT {
  @TempDir static Path dir;
  static ShopCluster shop;
  static String failed;

  @BeforeAll
  static void setUp() throws Exception {
    shop = ShopScenario.rolledOutThenRejected(dir);
    failed =
        ShopCluster.PODS.stream()
            .filter(p -> shop.record(p).rollout().rejected() != null)
            .findFirst()
            .orElseThrow();
  }

  @AfterAll
  static void tearDown() {
    shop.close();
  }

  @Test
  void theAppliedConfigIsShownWithItsKeyRedacted() throws Exception {
    Run run = shop.sluice("config", "storefront-2", "-n", "shop");
    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).doesNotContain("PRIVATE KEY").contains("privateKeyPem: <redacted>");
    Golden.assertGolden("config.yaml", run.out());
  }

  @Test
  void jsonIsTheSameConfig() throws Exception {
    Run run = shop.sluice("config", "storefront-2", "-n", "shop", "-o", "json");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).doesNotContain("PRIVATE KEY");
    Golden.assertGolden("config.json", run.out());
  }

  @Test
  void theFailedPodsDiffShowsTheEdit() throws Exception {
    Run run = shop.sluice("config", failed, "-n", "shop", "--diff");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("-    request: 30s", "+    request: 45s")
        .doesNotContain("PRIVATE KEY");
    Golden.assertGolden("config-diff.txt", run.out());
  }

  @Test
  void aPodRunningItsAssignedRevisionHasNothingToDiff() {
    Run run = shop.sluice("config", "storefront-2", "-n", "shop", "--diff");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("runs its assigned revision").contains("nothing to diff");
  }

  @Test
  void anUnknownPodIsNamedWithExitCode1() {
    Run run = shop.sluice("config", "nope", "-n", "shop");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "kubectl sluice: pod \"nope\" not found in namespace shop (expected: a pod name)\n");
  }
}
