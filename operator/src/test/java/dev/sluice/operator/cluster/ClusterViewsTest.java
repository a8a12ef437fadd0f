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

  @Test
  void selectorsKubernetesRefusesSelectNothingAndSayWhy() {
    Map<String, String> labels = Map.of("app", "web");
    LabelSelector noOperator =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("app")
            .endMatchExpression()
            .build();
    assertThat(Selectors.matches(noOperator, labels)).as("no operator: no exception").isFalse();
    assertThat(Selectors.problems(noOperator))
        .containsExactly(
            new Selectors.Problem(
                "matchExpressions[0].operator",
                "null",
                "In, NotIn, Exists or DoesNotExist (case-sensitive)"));
    LabelSelector lowercase = selector("in", "app", "web");
    assertThat(Selectors.matches(lowercase, labels)).isFalse();
    assertThat(Selectors.problems(lowercase))
        .extracting(Selectors.Problem::field, Selectors.Problem::found)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("matchExpressions[0].operator", "in"));
    assertThat(Selectors.problems(selector("In", "app")))
        .extracting(Selectors.Problem::field)
        .containsExactly("matchExpressions[0].values");
    assertThat(Selectors.problems(selector("Exists", "app", "web")))
        .extracting(Selectors.Problem::field)
        .containsExactly("matchExpressions[0].values");
    assertThat(Selectors.problems(selector("Exists", "bad key")))
        .extracting(Selectors.Problem::field)
        .containsExactly("matchExpressions[0].key");
    assertThat(Selectors.problems(selector("In", "app", "no spaces")))
        .extracting(Selectors.Problem::field)
        .containsExactly("matchExpressions[0].values[0]");
    assertThat(
            Selectors.problems(new LabelSelectorBuilder().addToMatchLabels("app", "-web").build()))
        .extracting(Selectors.Problem::field)
        .containsExactly("matchLabels[app]");
    assertThat(Selectors.problems(selector("Exists", "sluice.dev/inject"))).isEmpty();
    assertThat(
            Selectors.matches(
                new LabelSelectorBuilder().addToMatchLabels("tier", "").build(),
                Map.of("tier", "")))
        .as("an empty label value is a value")
        .isTrue();
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
