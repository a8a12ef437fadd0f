package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** Observed state of an OffloadAgent, kstatus-compatible. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OffloadAgentStatus(
    @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,
    @JsonPropertyDescription(
            "Conditions: Ready, Reconciling, Stalled, Accepted, ResolvedRefs, Available.")
        List<Condition> conditions,
    @JsonPropertyDescription("Agent endpoints currently resolved.") Integer endpoints,
    @JsonPropertyDescription("Endpoints that passed their last SPOP health check.")
        Integer availableEndpoints,
    @JsonPropertyDescription("ProxyRoutes in the namespace whose rules use this agent.")
        Integer routes) {}
