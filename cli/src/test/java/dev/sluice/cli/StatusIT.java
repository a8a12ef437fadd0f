package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl sluice status} shows what the operator recorded — the route's conditions and
 * rollout counts, each pod's revisions, report and agent health — and names the failed pod with the
 * commands to run next; the state is written by the operator's own code, so a change in what it
 * records changes these goldens.
 */
class StatusIT {
  @TempDir static Path dir;
  static ShopCluster shop;

  @BeforeAll
  static void setUp() throws Exception {
    shop = ShopScenario.rolledOutThenRejected(dir);
  }

  @AfterAll
  static void tearDown() {
    shop.close();
  }

  @Test
  void theTableShowsEveryPodAndTheNextStepsForTheFailedOne() throws Exception {
    Run run = shop.sluice("status", "-n", "shop");
    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
    Golden.assertGolden("status.txt", run.out());
    assertThat(run.out()).contains("failed").contains("-c sluice-sidecar");
  }

  @Test
  void jsonCarriesTheSameReport() throws Exception {
    Run run = shop.sluice("status", "shop", "-n", "shop", "-o", "json");
    assertThat(run.exitCode()).isZero();
    Golden.assertGolden("status.json", run.out());
  }

  @Test
  void allNamespacesFindsTheShop() {
    Run run = shop.sluice("status", "-A");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("ProxyRoute shop/shop");
  }

  @Test
  void anUnknownRouteIsNamedWithExitCode1() throws Exception {
    Run run = shop.sluice("status", "nope", "-n", "shop");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    Golden.assertGolden("status-unknown-route.err.txt", run.err());
  }
}
