package dev.sluice.operator.pods;

import dev.sluice.api.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON Patch (RFC 6902) that sets a pod's {@code sluice.dev/ConfigApplied} condition and leaves
 * every other condition alone, valid against the pod as it was read in each case the API server may
 * hold:
 *
 * <ul>
 *   <li>no {@code status.conditions} (or an empty list — fabric8 reads both as an empty list):
 *       {@code add /status/conditions} with the one condition ({@code add} creates the member or
 *       replaces an empty one; appending with {@code /-} needs an array that exists);
 *   <li>other conditions only: append ours;
 *   <li>ours already there: {@code test} its type at its index, then {@code replace} it — or no
 *       patch at all when it already says the same.
 * </ul>
 *
 * <p>The first two rely on ours not being there, so they {@code test} the resourceVersion read: a
 * write in between (the kubelet's, another replica's) fails the patch with 422 and the caller reads
 * again. Applied twice, the result is the same as once.
 */
final class ConfigAppliedPatch {
  private ConfigAppliedPatch() {}

  /** The patch for {@code pod} as read; null when the condition already is as desired. */
  static @Nullable List<Map<String, Object>> of(
      Pod pod, String status, String reason, String message, String now) {
    List<PodCondition> existing =
        pod.getStatus() == null || pod.getStatus().getConditions() == null
            ? List.of()
            : pod.getStatus().getConditions();
    int index = -1;
    for (int i = 0; i < existing.size(); i++) {
      if (Labels.CONFIG_APPLIED_CONDITION.equals(existing.get(i).getType())) {
        index = i;
      }
    }
    PodCondition previous = index < 0 ? null : existing.get(index);
    if (previous != null
        && status.equals(previous.getStatus())
        && reason.equals(previous.getReason())
        && message.equals(previous.getMessage())
        && previous.getLastTransitionTime() != null) {
      return null;
    }
    Map<String, Object> ours = new LinkedHashMap<>();
    ours.put("type", Labels.CONFIG_APPLIED_CONDITION);
    ours.put("status", status);
    ours.put("reason", reason);
    ours.put("message", message);
    ours.put(
        "lastTransitionTime",
        previous != null
                && status.equals(previous.getStatus())
                && previous.getLastTransitionTime() != null
            ? previous.getLastTransitionTime()
            : now);
    List<Map<String, Object>> ops = new ArrayList<>();
    if (previous != null) {
      String at = "/status/conditions/" + index;
      ops.add(op("test", at + "/type", Labels.CONFIG_APPLIED_CONDITION));
      ops.add(op("replace", at, ours));
      return ops;
    }
    String version = pod.getMetadata() == null ? null : pod.getMetadata().getResourceVersion();
    if (version != null) {
      ops.add(op("test", "/metadata/resourceVersion", version));
    }
    if (pod.getStatus() == null) {
      ops.add(op("add", "/status", Map.of("conditions", List.of(ours))));
    } else if (existing.isEmpty()) {
      ops.add(op("add", "/status/conditions", List.of(ours)));
    } else {
      ops.add(op("add", "/status/conditions/-", ours));
    }
    return ops;
  }

  private static Map<String, Object> op(String op, String path, Object value) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("op", op);
    out.put("path", path);
    out.put("value", value);
    return out;
  }
}
