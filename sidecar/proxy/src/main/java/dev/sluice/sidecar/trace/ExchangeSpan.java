package dev.sluice.sidecar.trace;

import org.jspecify.annotations.Nullable;

/**
 * One exchange as its span says it, handed from the event loop to the exporter's thread when the
 * exchange ends (the OpenTelemetry objects are built there, not on the event loop).
 *
 * @param context this span: its trace, its id (the {@code parent-id} the upstream got) and flags
 * @param caller the caller's context (its parent id is this span's parent), or null at a root
 * @param startEpochNanos when the request head arrived
 * @param endEpochNanos when the exchange ended
 * @param listener the listener's name
 * @param rule the rule's name
 * @param method the request's method
 * @param scheme {@code http} or {@code https}
 * @param authority the request's authority
 * @param path the request's path, without its query
 * @param protocolVersion the downstream's HTTP version: {@code 1.1} or {@code 2}
 * @param clientAddress the client's address (no port), or null
 * @param status the status sent downstream, 0 when none was
 * @param upstream the upstream endpoint of the last try, or null
 * @param termination the termination state's code ({@code --} when the exchange completed)
 * @param cause the termination's cause label
 * @param failed the exchange failed (a termination other than {@code --}, or a 5xx)
 */
public record ExchangeSpan(
    TraceParent context,
    @Nullable TraceParent caller,
    long startEpochNanos,
    long endEpochNanos,
    String listener,
    String rule,
    String method,
    String scheme,
    String authority,
    String path,
    String protocolVersion,
    @Nullable String clientAddress,
    int status,
    @Nullable String upstream,
    String termination,
    String cause,
    boolean failed) {}
