package dev.sluice.sidecar.runtime;

import dev.sluice.sidecar.accesslog.AccessLog;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.filters.RuleEdits;
import dev.sluice.sidecar.offload.Offload;
import dev.sluice.sidecar.trace.Spans;
import dev.sluice.sidecar.trace.TraceSettings;
import dev.sluice.sidecar.upstream.LeaseSource;

/**
 * A rule of one generation with its run-time parts.
 *
 * @param config the rule as configured
 * @param upstream where its requests get upstream leases (a pool shared with rules of equal
 *     upstream; {@link NoUpstream} for a rule that redirects)
 * @param offload its offload steps with their agent clients (shared per agent)
 * @param inFlight the generation's request count (shared by all its rules)
 * @param accessLog whether and how its exchanges are logged
 * @param tracing how its requests' trace context is kept or started
 * @param spans where sampled exchanges' spans go
 * @param edits its header modifiers, compiled
 */
public record BoundRule(
    RouteRule config,
    LeaseSource upstream,
    Offload offload,
    InFlight inFlight,
    AccessLog accessLog,
    TraceSettings tracing,
    Spans spans,
    RuleEdits edits) {
  public String name() {
    return config.name();
  }
}
