package dev.sluice.operator.pods;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.api.Labels;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.status.Timestamps;
import dev.sluice.sidecar.config.SidecarReport;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
      annotations.put(Labels.ASSIGNED_AT, Timestamps.of(now));
    }
    if (lastGood != null) {
      annotations.put(Labels.LAST_GOOD_REVISION, lastGood);
    }
    if (!annotations.isEmpty()) {
      patchAnnotations(namespace, pod, annotations);
    }
  }

  /**
   * What the pod's sidecar reported: annotations and the pod condition. Returns the pod's rollout
   * record as it was just before (null when the pod was not there; recording then fails with 404).
   */
  public @Nullable PodRollout report(
      String namespace, String pod, SidecarReport report, Instant now) {
    Pod before = client.pods().inNamespace(namespace).withName(pod).get();
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
    return before == null ? null : PodRecord.of(before).rollout();
  }

  /**
   * Sets the {@code sluice.dev/ConfigApplied} condition, keeping every other condition: read the
   * pod, patch it as read ({@link ConfigAppliedPatch}); a patch that no longer applies (422: the
   * pod changed in between) or a conflict is retried on a fresh read. The transition time moves
   * only when the status flips; nothing is written when the condition already says the same.
   */
  private void condition(
      String namespace, String pod, String status, String reason, String message, Instant now) {
    for (int attempt = 1; ; attempt++) {
      Pod current = client.pods().inNamespace(namespace).withName(pod).get();
      if (current == null) {
        return;
      }
      List<Map<String, Object>> ops =
          ConfigAppliedPatch.of(current, status, reason, message, Timestamps.of(now));
      if (ops == null) {
        return;
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

  /** The contract version the pod's sidecar announced. */
  public void contract(String namespace, String pod, int contract) {
    patchAnnotations(namespace, pod, Map.of(Labels.CONTRACT, Integer.toString(contract)));
  }

  /** The offload agents' health the pod's sidecar reported. */
  public void agentHealth(
      String namespace, String pod, Map<String, AgentHealthRecord.Endpoints> health) {
    patchAnnotations(namespace, pod, Map.of(Labels.AGENT_HEALTH, AgentHealthRecord.write(health)));
  }

  /**
   * The sidecar's reason and its other problems, each once: the sidecar sends its first problem as
   * the reason and again in the list.
   */
  public static String reasonOf(SidecarReport report) {
    Set<String> said = new LinkedHashSet<>();
    if (report.reason() != null) {
      said.add(report.reason());
    }
    said.addAll(report.problems());
    String text = said.isEmpty() ? "rejected" : String.join("; ", said);
    return text.length() > MAX_REASON ? text.substring(0, MAX_REASON - 3) + "..." : text;
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
