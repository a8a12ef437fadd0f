package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Rollout counts; per-pod detail lives on the pods (annotation and pod condition). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutStatus(
    @JsonPropertyDescription("Revision being rolled out.") String targetRevision,
    @JsonPropertyDescription("Last revision every selected pod applied.") String lastGoodRevision,
    @JsonPropertyDescription("Pods the selector picks that run a sidecar.") Integer selectedPods,
    @JsonPropertyDescription("Selected pods that applied the target revision.") Integer updatedPods,
    @JsonPropertyDescription("Updated pods whose sidecar reports ready.") Integer readyPods,
    @JsonPropertyDescription("Pods that rejected the target revision or missed the deadline.")
        Integer failedPods) {}
