package dev.sluice.sidecar.runtime;

import dev.sluice.sidecar.config.Route;
import dev.sluice.sidecar.offload.Offload;
import dev.sluice.sidecar.upstream.LeaseSource;

/**
 * A route of one generation with its run-time parts.
 *
 * @param config the route as configured
 * @param upstream where its requests get upstream leases (a pool shared with routes of equal
 *     upstream)
 * @param offload its offload steps with their agent clients (shared per agent)
 * @param inFlight the generation's request count (shared by all its routes)
 */
public record BoundRoute(Route config, LeaseSource upstream, Offload offload, InFlight inFlight) {
  public String name() {
    return config.name();
  }
}
