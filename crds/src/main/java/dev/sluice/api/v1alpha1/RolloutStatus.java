package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import org.jspecify.annotations.Nullable;

/** Rollout counts; per-pod detail lives on the pods (annotation and pod condition). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutStatus(
    @JsonPropertyDescription("Revision being rolled out.") @Nullable String targetRevision,
    @JsonPropertyDescription("Last revision every selected pod applied.")
        @Nullable String lastGoodRevision,
    @JsonPropertyDescription("Pods the selector picks that run a sidecar.")
        @Nullable Integer selectedPods,
    @JsonPropertyDescription("Selected pods that applied the target revision.")
        @Nullable Integer updatedPods,
    @JsonPropertyDescription("Updated pods whose sidecar reports ready.")
        @Nullable Integer readyPods,
    @JsonPropertyDescription("Pods that rejected the target revision or missed the deadline.")
        @Nullable Integer failedPods) {}
