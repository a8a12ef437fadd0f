package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Observed state of an OffloadAgent, kstatus-compatible. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OffloadAgentStatus(
    @JsonPropertyDescription("The metadata.generation this status describes.")
        @Nullable Long observedGeneration,
    @JsonPropertyDescription(
            "Conditions: Ready, Reconciling, Stalled, Accepted, ResolvedRefs, Available.")
        @Nullable List<Condition> conditions,
    @JsonPropertyDescription("Agent endpoints currently resolved.") @Nullable Integer endpoints,
    @JsonPropertyDescription("Endpoints that passed their last SPOP health check.")
        @Nullable Integer availableEndpoints,
    @JsonPropertyDescription("ProxyRoutes in the namespace whose rules use this agent.")
        @Nullable Integer routes) {}
