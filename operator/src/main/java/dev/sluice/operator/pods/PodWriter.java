package dev.sluice.operator.pods;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.sidecar.config.SidecarReport;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes the rollout record onto Pods: annotations with JSON merge patches (metadata only), and the
 * {@code sluice.dev/ConfigApplied} pod condition through the status subresource, every other
 * condition kept as it is.
 */
public final class PodWriter {
  static final int MAX_REASON = 1024;
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final KubernetesClient client;

  public PodWriter(KubernetesClient client) {
    this.client = client;
  }

  /** A new assignment and/or last-good revision (null: leave as is). */
  public void record(
      String namespace,
      String pod,
      @Nullable String assign,
      @Nullable String lastGood,
      Instant now) {
    Map<String, String> annotations = new LinkedHashMap<>();
    if (assign != null) {
      annotations.put(Labels.ASSIGNED_REVISION, assign);
      annotations.put(Labels.ASSIGNED_AT, now.toString());
    }
    if (lastGood != null) {
      annotations.put(Labels.LAST_GOOD_REVISION, lastGood);
    }
    if (!annotations.isEmpty()) {
      patchAnnotations(namespace, pod, annotations);
    }
  }

  /** What the pod's sidecar reported: annotations and the pod condition. */
  public void report(String namespace, String pod, SidecarReport report, Instant now) {
    boolean applied = report.outcome() == SidecarReport.Outcome.Applied;
    Map<String, String> annotations = new LinkedHashMap<>();
    String message;
    if (applied) {
      annotations.put(Labels.APPLIED_REVISION, report.revision());
      message = "Applied revision " + report.revision() + drain(report) + ".";
    } else {
      String reason = reasonOf(report);
      annotations.put(Labels.REJECTED_REVISION, report.revision());
      annotations.put(Labels.REJECTED_REASON, reason);
      message = "Rejected revision " + report.revision() + ": " + reason;
    }
    patchAnnotations(namespace, pod, annotations);
    condition(
        namespace,
        pod,
        applied ? "True" : "False",
        applied ? Reasons.APPLIED : Reasons.CONFIG_REJECTED,
        message,
        now);
  }

  /**
   * Sets the {@code sluice.dev/ConfigApplied} condition, keeping every other condition: read the
   * pod, replace ours, merge-patch the list back with the resourceVersion read as a precondition (a
   * conflict with the kubelet's own write is retried). The transition time moves only when the
   * status flips.
   */
  private void condition(
      String namespace, String pod, String status, String reason, String message, Instant now) {
    for (int attempt = 1; ; attempt++) {
      Pod current = client.pods().inNamespace(namespace).withName(pod).get();
      if (current == null) {
        return;
      }
      List<PodCondition> existing =
          current.getStatus() == null || current.getStatus().getConditions() == null
              ? null
              : current.getStatus().getConditions();
      int index = -1;
      String since = now.toString();
      for (int i = 0; existing != null && i < existing.size(); i++) {
        PodCondition c = existing.get(i);
        if (Labels.CONFIG_APPLIED_CONDITION.equals(c.getType())) {
          index = i;
          if (status.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
            since = c.getLastTransitionTime();
          }
        }
      }
      Map<String, Object> ours = new LinkedHashMap<>();
      ours.put("type", Labels.CONFIG_APPLIED_CONDITION);
      ours.put("status", status);
      ours.put("reason", reason);
      ours.put("message", message);
      ours.put("lastTransitionTime", since);
      List<Map<String, Object>> ops;
      if (index >= 0) {
        // Replace ours where it is, after checking it still is there.
        String at = "/status/conditions/" + index;
        ops =
            List.of(
                Map.of(
                    "op", "test", "path", at + "/type", "value", Labels.CONFIG_APPLIED_CONDITION),
                Map.of("op", "replace", "path", at, "value", ours));
      } else if (existing != null) {
        ops = List.of(Map.of("op", "add", "path", "/status/conditions/-", "value", ours));
      } else {
        ops = List.of(Map.of("op", "add", "path", "/status/conditions", "value", List.of(ours)));
      }
      try {
        client
            .pods()
            .inNamespace(namespace)
            .withName(pod)
            .subresource("status")
            .patch(PatchContext.of(PatchType.JSON), JSON.writeValueAsString(ops));
        return;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      } catch (KubernetesClientException e) {
        if ((e.getCode() != 409 && e.getCode() != 422) || attempt >= 5) {
          throw e;
        }
      }
    }
  }

  /** The offload agents' health the pod's sidecar reported. */
  public void agentHealth(
      String namespace, String pod, Map<String, AgentHealthRecord.Endpoints> health) {
    patchAnnotations(namespace, pod, Map.of(Labels.AGENT_HEALTH, AgentHealthRecord.write(health)));
  }

  static String reasonOf(SidecarReport report) {
    StringBuilder text = new StringBuilder(report.reason() == null ? "rejected" : report.reason());
    for (String problem : report.problems()) {
      text.append("; ").append(problem);
    }
    return text.length() > MAX_REASON ? text.substring(0, MAX_REASON - 3) + "..." : text.toString();
  }

  private static String drain(SidecarReport report) {
    SidecarReport.Drain d = report.drain();
    if (d == null) {
      return "";
    }
    return " (previous generation drained in "
        + d.drainMillis()
        + " ms: "
        + d.completed()
        + " requests completed, "
        + d.deadlineExceeded()
        + " cut at the deadline)";
  }

  /** A JSON merge patch of the pod's annotations (a map: merged key by key). */
  private void patchAnnotations(String namespace, String pod, Map<String, String> annotations) {
    String json;
    try {
      json = JSON.writeValueAsString(Map.of("metadata", Map.of("annotations", annotations)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    client
        .pods()
        .inNamespace(namespace)
        .withName(pod)
        .patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }
}
