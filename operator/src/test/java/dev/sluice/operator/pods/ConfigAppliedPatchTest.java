package dev.sluice.operator.pods;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.api.Labels;
import dev.sluice.sidecar.config.SidecarReport;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ConfigApplied patch in every case a pod may be in: each patch valid against the pod as read
 * (the embedded API applies them strictly in PodReportIT), nothing to write when nothing changed.
 */
class ConfigAppliedPatchTest {
  static final ObjectMapper JSON = JsonMapper.builder().build();
  static final String T0 = "2026-12-06T10:00:00Z";
  static final String T1 = "2026-12-06T10:05:00Z";

  static Pod pod(PodCondition... conditions) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web-1")
        .withResourceVersion("7")
        .endMetadata()
        .withNewStatus()
        .withPhase("Running")
        .withConditions(conditions)
        .endStatus()
        .build();
  }

  static PodCondition condition(String type, String status, String message) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason("R")
        .withMessage(message)
        .withLastTransitionTime(T0)
        .build();
  }

  static String of(Pod pod, String status, String message) throws Exception {
    List<Map<String, Object>> ops = ConfigAppliedPatch.of(pod, status, "R", message, T1);
    return ops == null ? "none" : JSON.writeValueAsString(ops);
  }

  @Test
  void noConditionsAddsTheListAfterTestingTheVersionRead() throws Exception {
    assertThat(of(pod(), "True", "m"))
        .isEqualTo(
            "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"7\"},"
                + "{\"op\":\"add\",\"path\":\"/status/conditions\",\"value\":[{\"type\":\""
                + Labels.CONFIG_APPLIED_CONDITION
                + "\",\"status\":\"True\",\"reason\":\"R\",\"message\":\"m\","
                + "\"lastTransitionTime\":\""
                + T1
                + "\"}]}]");
  }

  @Test
  void otherConditionsOnlyAppendsOurs() throws Exception {
    assertThat(of(pod(condition("Ready", "True", "")), "True", "m"))
        .startsWith("[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"7\"},")
        .contains("{\"op\":\"add\",\"path\":\"/status/conditions/-\",\"value\":{");
  }

  @Test
  void oursIsReplacedWhereItIsKeepingItsTimeUnlessItFlips() throws Exception {
    Pod pod =
        pod(
            condition("Ready", "True", ""),
            condition(Labels.CONFIG_APPLIED_CONDITION, "True", "old"));
    assertThat(of(pod, "True", "new"))
        .startsWith(
            "[{\"op\":\"test\",\"path\":\"/status/conditions/1/type\",\"value\":\""
                + Labels.CONFIG_APPLIED_CONDITION
                + "\"},{\"op\":\"replace\",\"path\":\"/status/conditions/1\"")
        .contains("\"lastTransitionTime\":\"" + T0 + "\"");
    assertThat(of(pod, "False", "new")).contains("\"lastTransitionTime\":\"" + T1 + "\"");
  }

  @Test
  void theSameConditionAgainWritesNothing() throws Exception {
    assertThat(of(pod(condition(Labels.CONFIG_APPLIED_CONDITION, "True", "m")), "True", "m"))
        .isEqualTo("none");
  }

  @Test
  void aRejectionReasonIsSaidOnceAndOtherProblemsEachOnce() {
    assertThat(PodWriter.reasonOf(report("port in use", List.of("port in use"))))
        .isEqualTo("port in use");
    assertThat(PodWriter.reasonOf(report("a", List.of("a", "b", "b", "c")))).isEqualTo("a; b; c");
    assertThat(PodWriter.reasonOf(report(null, List.of()))).isEqualTo("rejected");
  }

  static SidecarReport report(String reason, List<String> problems) {
    return new SidecarReport(
        "r1", SidecarReport.Outcome.Rejected, reason, problems, null, null, null);
  }
}
