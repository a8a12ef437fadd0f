package dev.sluice.sidecar.admin;

import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarReport;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** What the admin listener may ask of the reload machinery. */
public interface ReloadControl {
  /** Reloads from {@code source}; completes with the report once swapped or rejected. */
  CompletableFuture<SidecarReport> reload(Callable<SidecarConfig> source);

  /** Reloads from the configured source (the config file); rejected when there is none. */
  CompletableFuture<SidecarReport> reloadFromSource();

  /** The newest applied report (with drain figures once its predecessor drained). */
  SidecarReport lastReport();

  /**
   * Completes with {@code revision}'s report once the generation it replaced drained (with the
   * drain figures), or at once with the newest report when that revision is not draining.
   */
  CompletableFuture<SidecarReport> drained(String revision);

  /** The newest rejection, or null. */
  SidecarReport lastRejection();

  /** The current generation's offload agents' health (agents not checked yet left out). */
  default java.util.Map<String, dev.sluice.sidecar.offload.AgentHealth> agentHealth() {
    return java.util.Map.of();
  }
}
