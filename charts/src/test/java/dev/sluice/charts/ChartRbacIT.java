package dev.sluice.charts;

import static dev.sluice.charts.HelmChart.ROOT;
import static dev.sluice.charts.HelmChart.load;
import static dev.sluice.charts.HelmChart.only;
import static dev.sluice.charts.HelmChart.render;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC is exactly operator/deploy/rbac.yaml, which RbacIT proves covers every request
 * the operator makes.
 */
class ChartRbacIT {
  @Test
  void rbacIsExactlyWhatTheOperatorUses() throws IOException {
    List<HasMetadata> rendered = render(Map.of());
    List<HasMetadata> deploy = deployManifests();
    assertThat(rules(only(rendered, ClusterRole.class).getRules()))
        .containsExactlyElementsOf(rules(only(deploy, ClusterRole.class).getRules()));
    assertThat(rules(only(rendered, Role.class).getRules()))
        .containsExactlyElementsOf(rules(only(deploy, Role.class).getRules()));
  }

  static List<HasMetadata> deployManifests() throws IOException {
    try (InputStream in = Files.newInputStream(ROOT.resolve("operator/deploy/rbac.yaml"))) {
      return load(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Rules with the release-specific resource names normalised to the defaults'. */
  static List<String> rules(List<PolicyRule> rules) {
    return rules.stream()
        .map(
            r ->
                r.getApiGroups()
                    + " "
                    + r.getResources()
                    + " "
                    + r.getVerbs()
                    + " "
                    + (r.getResourceNames() == null ? List.of() : r.getResourceNames()))
        .toList();
  }
}
