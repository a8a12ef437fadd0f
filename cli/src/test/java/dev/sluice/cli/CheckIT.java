package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl sluice check} passes on an install as the operator and its manifests leave it, and
 * on a broken one fails each broken part on its own line with the command that fixes it, exit 1;
 * RBAC is decided by the embedded API's RBAC authorizer over the stored roles.
 */
class CheckIT {
  @TempDir Path dir;

  @Test
  void aHealthyInstallPasses() throws Exception {
    try (ShopCluster shop = ShopScenario.rolledOutThenRejected(dir)) {
      Run table = shop.sluice("check");
      assertThat(table.err()).isEmpty();
      assertThat(table.exitCode()).isZero();
      Golden.assertGolden("check.txt", table.out());
      Run json = shop.sluice("check", "-o", "json");
      assertThat(json.exitCode()).isZero();
      Golden.assertGolden("check.json", json.out());
    }
  }

  @Test
  void aBrokenInstallFailsEachPartWithItsFix() throws Exception {
    try (ShopCluster shop = new ShopCluster(dir, "28").operatorInstalled()) {
      var client = shop.client;
      // the CRD of OffloadAgents missing, the operator not running, a rule dropped from its role
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName("offloadagents.sluice.dev")
          .delete();
      client
          .discovery()
          .v1()
          .endpointSlices()
          .inNamespace(ShopCluster.OPERATOR_NS)
          .withLabel("kubernetes.io/service-name", "sluice-operator")
          .delete();
      ClusterRole role = client.rbac().clusterRoles().withName("sluice-operator").get();
      role.getRules().removeIf(r -> r.getResources().contains("pods/status"));
      client.resource(role).update();

      Run run = shop.sluice("check");
      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.out()).contains("patch pods/status");
      Golden.assertGolden("check-failing.txt", run.out());
    }
  }
}
