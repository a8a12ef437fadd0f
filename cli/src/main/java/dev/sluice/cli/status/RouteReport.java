package dev.sluice.cli.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.api.v1alpha1.RolloutStatus;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One ProxyRoute: its status as the operator wrote it, and every pod its selector picks that runs a
 * sidecar.
 *
 * @param namespace its namespace
 * @param name its name
 * @param generation metadata.generation
 * @param observedGeneration the generation the status describes (null: no status yet)
 * @param revision the revision its current spec renders to
 * @param rollout the rollout counts
 * @param conditions Ready, Accepted, ResolvedRefs, Programmed, Reconciling, Stalled
 * @param pods the selected pods, by name
 * @param hints next commands when the route is stalled
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteReport(
    String namespace,
    String name,
    @Nullable Long generation,
    @Nullable Long observedGeneration,
    @Nullable String revision,
    @Nullable RolloutStatus rollout,
    List<ConditionLine> conditions,
    List<PodReport> pods,
    List<String> hints) {}
