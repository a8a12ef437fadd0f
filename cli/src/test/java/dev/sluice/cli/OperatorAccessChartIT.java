package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.sluice.cli.check.Installation;
import dev.sluice.cli.check.OperatorAccess;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The permissions {@code check} asks about are exactly what the chart's ClusterRole and Role grant
 * (rendered by Helm for release sluice in sluice-system): a rule added to or dropped from the chart
 * without the other fails here.
 */
class OperatorAccessChartIT {
  static final Path CHART = ShopCluster.ROOT.resolve("charts/sluice");
  static final Installation INSTALL =
      new Installation(
          "sluice-system", "sluice-operator", "sluice-sidecar-injector", "sluice-operator-tls");

  @Test
  void theCheckedPermissionsAreWhatTheChartGrants() {
    String rendered =
        new Helm(CHART)
            .template()
            .withName("sluice")
            .withNamespace(INSTALL.namespace())
            .withKubeVersion("1.30.0")
            .call();
    Set<String> granted = new TreeSet<>();
    for (String doc : rendered.split("(?m)^---\\s*$")) {
      if (doc.lines().noneMatch(l -> l.startsWith("kind:"))) {
        continue;
      }
      Object parsed = Serialization.unmarshal(doc);
      if (parsed instanceof ClusterRole role) {
        role.getRules().forEach(r -> expand(r, "", granted));
      } else if (parsed instanceof Role role && parsed instanceof HasMetadata) {
        role.getRules().forEach(r -> expand(r, " in " + INSTALL.namespace(), granted));
      }
    }
    Set<String> checked = new TreeSet<>();
    OperatorAccess.REQUIRED.forEach(a -> checked.add(a.describe(INSTALL)));
    assertThat(checked).isEqualTo(granted);
  }

  private static void expand(PolicyRule rule, String where, Set<String> out) {
    List<String> names = rule.getResourceNames() == null ? List.of() : rule.getResourceNames();
    for (String group : rule.getApiGroups()) {
      for (String resource : rule.getResources()) {
        for (String verb : rule.getVerbs()) {
          String base = verb + " " + resource + (group.isEmpty() ? "" : "." + group);
          if (names.isEmpty()) {
            out.add(base + where);
          } else {
            names.forEach(n -> out.add(base + " " + n + where));
          }
        }
      }
    }
  }
}
