package dev.sluice.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Label selectors as Kubernetes defines them. */
class ClusterViewsTest {
  @Test
  void selectorsFollowKubernetesSemantics() {
    Map<String, String> labels = Map.of("app", "web", "tier", "front");
    assertThat(Selectors.matches(null, labels)).as("null selects nothing").isFalse();
    assertThat(Selectors.matches(new LabelSelector(), labels)).as("empty selects all").isTrue();
    assertThat(Selectors.matches(selector("In", "tier", "front", "back"), labels)).isTrue();
    assertThat(Selectors.matches(selector("NotIn", "tier", "back"), labels)).isTrue();
    assertThat(Selectors.matches(selector("NotIn", "tier", "front"), labels)).isFalse();
    assertThat(Selectors.matches(selector("Exists", "app"), labels)).isTrue();
    assertThat(Selectors.matches(selector("DoesNotExist", "app"), labels)).isFalse();
    assertThat(Selectors.matches(selector("NotIn", "zone", "a"), labels))
        .as("NotIn holds for a missing label")
        .isTrue();
    LabelSelector both =
        new LabelSelectorBuilder()
            .addToMatchLabels("app", "web")
            .addNewMatchExpression()
            .withKey("tier")
            .withOperator("In")
            .withValues("back")
            .endMatchExpression()
            .build();
    assertThat(Selectors.matches(both, labels)).as("every term must hold").isFalse();
  }

  private static LabelSelector selector(String operator, String key, String... values) {
    return new LabelSelectorBuilder()
        .addNewMatchExpression()
        .withKey(key)
        .withOperator(operator)
        .withValues(values)
        .endMatchExpression()
        .build();
  }
}
