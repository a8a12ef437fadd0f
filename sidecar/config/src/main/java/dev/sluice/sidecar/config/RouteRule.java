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
 * @param upstream where requests go; null for a rule that {@code redirect}s or has {@code backends}
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
 * @param requestHeaders static changes to the header fields sent upstream (contract 4), made before
 *     the {@code setRequestHeader} actions
 * @param responseHeaders static changes to the header fields of the upstream's response sent
 *     downstream (contract 4), made before the {@code setResponseHeader} actions; the sidecar's own
 *     answers (errors, redirects) are not changed
 * @param rewrite the host and path sent upstream instead of the client's (contract 4)
 * @param redirect answered by the sidecar with a redirect, nothing sent upstream (contract 4); a
 *     rule with it has no {@code upstream} and no {@code rewrite}
 * @param backends weighted upstreams, one chosen per request (contract 4); either these or {@code
 *     upstream}; left out of the document when empty
 * @param rateLimit its local rate limit (contract 4); none when null
 * @param mirrors copies of its requests sent to other upstreams, responses discarded (contract 4;
 *     at most 8); left out of the document when empty
 * @param cors cross-origin resource sharing (contract 4): preflights answered by the sidecar, CORS
 *     fields on responses; none when null
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
    @Nullable HeaderModifier requestHeaders,
    @Nullable HeaderModifier responseHeaders,
    @Nullable UrlRewrite rewrite,
    @Nullable RequestRedirect redirect,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Backend> backends,
    @Nullable RateLimit rateLimit,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<RequestMirror> mirrors,
    @Nullable Cors cors) {
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
    mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
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
   * A rule without the fields of contract 4 (header modifiers, rewrite, redirect, backends, rate
   * limit, mirrors, CORS).
   */
  @SuppressWarnings("NullAway") // absent fields (null) read as their defaults
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
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** This rule with {@code upstream} instead of its own, every other field kept. */
  public RouteRule withUpstream(@Nullable Upstream other) {
    return new RouteRule(
        name,
        listener,
        matches,
        other,
        timeouts,
        maxRequestBodyBytes,
        zeroCopy,
        offload,
        actions,
        upgrades,
        retry,
        accessLog,
        tracing,
        requestHeaders,
        responseHeaders,
        rewrite,
        redirect,
        backends,
        rateLimit,
        mirrors,
        cors);
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
