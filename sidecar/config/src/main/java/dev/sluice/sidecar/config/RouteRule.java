package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One rule of a route (a ProxyRoute's rule, or a hand-written one): which requests on which
 * listener, the upstream, and what happens on the way.
 *
 * @param name unique name (metrics label)
 * @param listener name of the listener serving it
 * @param matches any of these (OR); empty: every request
 * @param upstream where requests go; either this or {@code backends}
 * @param timeouts connect, request and idle timeouts
 * @param maxRequestBodyBytes largest accepted request body (413 above); unlimited when null
 * @param zeroCopy forward body buffers without copying (default true)
 * @param offload offload steps, in order
 * @param actions actions on agent variables, in order
 * @param upgrades the HTTP/1.1 {@code Upgrade} tokens (RFC 9110 7.8) whose requests become a tunnel
 *     after the upstream's {@code 101 Switching Protocols}, compared case-insensitively (default
 *     {@code [websocket]}; empty: every upgrade request is served as a plain request, its {@code
 *     Upgrade} field removed, as a server may ignore it)
 * @param retry when a request is tried again after its upstream answered badly or not at all;
 *     {@link RetryPolicy#DEFAULT} when null (absent stays absent, so a config that does not say
 *     reads and hashes as before)
 * @param accessLog how its exchanges are logged (contract 3); {@link RuleAccessLog#DEFAULT} when
 *     absent, and left out of the document when at the default, so a config that does not say reads
 *     and hashes as before
 * @param tracing trace context for its requests (contract 3); {@link RuleTracing#DEFAULT} when
 *     absent, left out at the default as {@code accessLog} is
 * @param backends weighted upstreams, one chosen per request (contract 4); either these or {@code
 *     upstream}; left out of the document when empty
 * @param rateLimit its local rate limit (contract 4); none when null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteRule(
    String name,
    String listener,
    List<RequestMatch> matches,
    @Nullable Upstream upstream,
    Timeouts timeouts,
    @Nullable Long maxRequestBodyBytes,
    Boolean zeroCopy,
    List<RuleOffload> offload,
    List<VariableAction> actions,
    List<String> upgrades,
    @Nullable RetryPolicy retry,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = AtDefault.class)
        RuleAccessLog accessLog,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = AtDefault.class)
        RuleTracing tracing,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Backend> backends,
    @Nullable RateLimit rateLimit) {
  /** What {@code upgrades} is when absent: WebSocket passes, as through any HTTP proxy. */
  public static final List<String> DEFAULT_UPGRADES = List.of("websocket");

  public RouteRule {
    matches = matches == null ? List.of() : List.copyOf(matches);
    timeouts = timeouts == null ? Timeouts.DEFAULT : timeouts;
    zeroCopy = zeroCopy == null ? Boolean.TRUE : zeroCopy;
    offload = offload == null ? List.of() : List.copyOf(offload);
    actions = actions == null ? List.of() : List.copyOf(actions);
    upgrades = upgrades == null ? DEFAULT_UPGRADES : List.copyOf(upgrades);
    accessLog = accessLog == null ? RuleAccessLog.DEFAULT : accessLog;
    tracing = tracing == null ? RuleTracing.DEFAULT : tracing;
    backends = backends == null ? List.of() : List.copyOf(backends);
  }

  /** A rule of contract 3's shape: one upstream, no backends or rate limit. */
  @SuppressWarnings("NullAway") // absent lists (null) read as empty
  public RouteRule(
      String name,
      String listener,
      List<RequestMatch> matches,
      @Nullable Upstream upstream,
      Timeouts timeouts,
      @Nullable Long maxRequestBodyBytes,
      Boolean zeroCopy,
      List<RuleOffload> offload,
      List<VariableAction> actions,
      List<String> upgrades,
      @Nullable RetryPolicy retry,
      RuleAccessLog accessLog,
      RuleTracing tracing) {
    this(
        name,
        listener,
        matches,
        upstream,
        timeouts,
        maxRequestBodyBytes,
        zeroCopy,
        offload,
        actions,
        upgrades,
        retry,
        accessLog,
        tracing,
        null,
        null);
  }

  /**
   * Every upstream this rule sends to: its {@code upstream}, or its backends' (the unavailable ones
   * have none).
   */
  public List<Upstream> upstreams() {
    List<Upstream> all = new ArrayList<>();
    if (upstream != null) {
      all.add(upstream);
    }
    for (Backend backend : backends) {
      if (backend.upstream() != null) {
        all.add(backend.upstream());
      }
    }
    return all;
  }

  /**
   * Jackson's filter for {@code accessLog} and {@code tracing}: at its default either is left out,
   * so a config that spells out the defaults reads and hashes as one that does not say.
   */
  static final class AtDefault {
    @Override
    public boolean equals(@Nullable Object value) {
      return value == null
          || RuleAccessLog.DEFAULT.equals(value)
          || RuleTracing.DEFAULT.equals(value);
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }

  /** The retry policy this rule runs: {@code retry}, or the default. */
  public RetryPolicy retryOrDefault() {
    return retry == null ? RetryPolicy.DEFAULT : retry;
  }
}
