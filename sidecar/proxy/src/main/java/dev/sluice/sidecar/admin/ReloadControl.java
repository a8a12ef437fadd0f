package dev.sluice.sidecar.admin;

import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.offload.AgentHealth;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** What the admin listener may ask of the reload machinery. */
public interface ReloadControl {
  /** Reloads from {@code source}; completes with the report once swapped or rejected. */
  CompletableFuture<SidecarReport> reload(Callable<SidecarConfig> source);

  /** Reloads from the configured source (the config file); rejected when there is none. */
  CompletableFuture<SidecarReport> reloadFromSource();

  /**
   * The newest applied report (with drain figures once its predecessor drained); null until the
   * first config is applied.
   */
  @Nullable SidecarReport lastReport();

  /**
   * Completes with {@code revision}'s report once the generation it replaced drained (with the
   * drain figures), or at once with the newest report when that revision is not draining.
   */
  CompletableFuture<SidecarReport> drained(@Nullable String revision);

  /** The newest rejection; null when there has been none. */
  @Nullable SidecarReport lastRejection();

  /**
   * Says that {@code revision}, read from the config service by a sidecar speaking contract {@code
   * speaks}, had {@code fields} it does not know and ignored.
   */
  default void ignoring(@Nullable String revision, int speaks, List<String> fields) {}

  /** The fields the running config had that this sidecar ignored; empty when none. */
  default List<String> ignoredFields() {
    return List.of();
  }

  /** The current generation's offload agents' health (agents not checked yet left out). */
  default Map<String, AgentHealth> agentHealth() {
    return Map.of();
  }
}
