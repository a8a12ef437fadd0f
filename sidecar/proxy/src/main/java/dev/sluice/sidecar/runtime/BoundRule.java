package dev.sluice.sidecar.runtime;

import dev.sluice.sidecar.accesslog.AccessLog;
import dev.sluice.sidecar.backends.Backends;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.filters.RuleEdits;
import dev.sluice.sidecar.mirror.Mirrors;
import dev.sluice.sidecar.offload.Offload;
import dev.sluice.sidecar.ratelimit.RateLimiter;
import dev.sluice.sidecar.trace.Spans;
import dev.sluice.sidecar.trace.TraceSettings;
import org.jspecify.annotations.Nullable;

/**
 * A rule of one generation with its run-time parts.
 *
 * @param config the rule as configured
 * @param backends where its requests get upstream leases: its one upstream or its weighted
 *     backends, each a pool shared with rules of equal upstream
 * @param offload its offload steps with their agent clients (shared per agent)
 * @param inFlight the generation's request count (shared by all its rules)
 * @param accessLog whether and how its exchanges are logged
 * @param tracing how its requests' trace context is kept or started
 * @param spans where sampled exchanges' spans go
 * @param edits its header modifiers, compiled
 * @param rateLimit its local rate limit; null when it has none
 * @param mirrors its request mirrors, each leasing from a pool shared with equal upstreams
 */
public record BoundRule(
    RouteRule config,
    Backends backends,
    Offload offload,
    InFlight inFlight,
    AccessLog accessLog,
    TraceSettings tracing,
    Spans spans,
    RuleEdits edits,
    @Nullable RateLimiter rateLimit,
    Mirrors mirrors) {
  public String name() {
    return config.name();
  }
}
