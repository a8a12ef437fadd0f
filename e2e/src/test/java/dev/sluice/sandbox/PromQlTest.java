package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The series a dashboard query selects, and the labels it needs on them. */
class PromQlTest {
  static PromQl.Selector selector(String series, String... labels) {
    return new PromQl.Selector(series, Set.of(labels));
  }

  @Test
  void anAggregationsByLabelsAreNeededOnTheSeriesInsideIt() {
    assertThat(PromQl.selectors("sum by (rule, status) (rate(requests_count[5m]))"))
        .containsExactly(selector("requests_count", "rule", "status"));
    assertThat(PromQl.selectors("sum(rate(a_total[1m])) by (pod)"))
        .as("by after the argument")
        .containsExactly(selector("a_total", "pod"));
    assertThat(PromQl.selectors("sum(clients)")).containsExactly(selector("clients"));
  }

  @Test
  void functionsNumbersAndDurationsAreNotSeriesAndABucketKeepsItsName() {
    assertThat(
            PromQl.selectors(
                "histogram_quantile(0.99, sum by (rule, le) (rate(latency_seconds_bucket[5m])))"))
        .containsExactly(selector("latency_seconds_bucket", "rule", "le"));
    assertThat(PromQl.selectors("increase(reloads_total[1h30m] offset 5m) > bool 0"))
        .containsExactly(selector("reloads_total"));
  }

  @Test
  void matchersNameLabelsTooWhateverTheirValuesHold() {
    assertThat(PromQl.selectors("rate(errors_total{kind=~\"conn.*\", path=\"/a{b},c\"}[5m])"))
        .containsExactly(selector("errors_total", "kind", "path"));
  }

  @Test
  void nestedAggregationsAddUpAndWithoutNeedsNothing() {
    assertThat(PromQl.selectors("max by (ns) (sum by (ns, pod) (up)) / sum without (pod) (down)"))
        .containsExactly(selector("up", "ns", "pod"), selector("down"));
    assertThat(PromQl.selectors("a * on (pod) group_left (node) b"))
        .as("vector matching labels are not grouping")
        .isEqualTo(List.of(selector("a"), selector("b")));
  }

  @Test
  void whatItCannotReadIsRefusedNamingTheQuery() {
    assertThatThrownBy(() -> PromQl.selectors("rate({__name__=\"x\"}[5m])"))
        .hasMessageContaining("without a metric name in rate({__name__=\"x\"}[5m])");
    assertThatThrownBy(() -> PromQl.selectors("sum by (a) (x"))
        .hasMessageContaining("unbalanced parentheses");
  }
}
