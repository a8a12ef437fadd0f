package dev.sluice.operator.inject;

import io.fabric8.kubernetes.api.model.Pod;
import org.jspecify.annotations.Nullable;

/**
 * What the webhook does with one pod.
 *
 * @param pod the pod to admit (the input unchanged when skipped)
 * @param injected true when a sidecar was added
 * @param skipReason why not, when not (for an event on the pod's owner)
 * @param note what an injection left as the pod had it and why, when it did (for the log)
 */
record InjectionResult(
    Pod pod, boolean injected, @Nullable String skipReason, @Nullable String note) {
  static InjectionResult skipped(Pod pod, String why) {
    return new InjectionResult(pod, false, why, null);
  }
}
