package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One rule of a route (a ProxyRoute's rule, or a hand-written one): which requests on which
 * listener, the upstream, and what happens on the way.
 *
 * @param name unique name (metrics label)
 * @param listener name of the listener serving it
 * @param matches any of these (OR); empty: every request
 * @param upstream where requests go
 * @param timeouts connect, request and idle timeouts
 * @param maxRequestBodyBytes largest accepted request body (413 above); unlimited when null
 * @param zeroCopy forward body buffers without copying (default true)
 * @param offload offload steps, in order
 * @param actions actions on agent variables, in order
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteRule(
    String name,
    String listener,
    List<RequestMatch> matches,
    Upstream upstream,
    Timeouts timeouts,
    @Nullable Long maxRequestBodyBytes,
    Boolean zeroCopy,
    List<RuleOffload> offload,
    List<VariableAction> actions) {

  public RouteRule {
    matches = matches == null ? List.of() : List.copyOf(matches);
    timeouts = timeouts == null ? Timeouts.DEFAULT : timeouts;
    zeroCopy = zeroCopy == null ? Boolean.TRUE : zeroCopy;
    offload = offload == null ? List.of() : List.copyOf(offload);
    actions = actions == null ? List.of() : List.copyOf(actions);
  }
}
