package dev.sluice.operator.render;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.v1alpha1.Action;
import dev.sluice.api.v1alpha1.ClientCertificates;
import dev.sluice.api.v1alpha1.HeaderMatch;
import dev.sluice.api.v1alpha1.Listener;
import dev.sluice.api.v1alpha1.ListenerHttp2;
import dev.sluice.api.v1alpha1.ListenerLimits;
import dev.sluice.api.v1alpha1.ListenerTls;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Retry;
import dev.sluice.api.v1alpha1.RouteAccessLog;
import dev.sluice.api.v1alpha1.RouteMatch;
import dev.sluice.api.v1alpha1.RouteTimeouts;
import dev.sluice.api.v1alpha1.RouteTracing;
import dev.sluice.api.v1alpha1.Rule;
import dev.sluice.api.v1alpha1.SetHeaderAction;
import dev.sluice.sidecar.config.Agent;
import dev.sluice.sidecar.config.ClientValidation;
import dev.sluice.sidecar.config.DownstreamListener;
import dev.sluice.sidecar.config.Durations;
import dev.sluice.sidecar.config.HeaderCondition;
import dev.sluice.sidecar.config.Http2Limits;
import dev.sluice.sidecar.config.PathCondition;
import dev.sluice.sidecar.config.RequestMatch;
import dev.sluice.sidecar.config.RetryPolicy;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.RuleAccessLog;
import dev.sluice.sidecar.config.RuleOffload;
import dev.sluice.sidecar.config.RuleTracing;
import dev.sluice.sidecar.config.ServerTls;
import dev.sluice.sidecar.config.Timeouts;
import dev.sluice.sidecar.config.VariableAction;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A ProxyRoute whose references resolved, mapped to the sidecar contract: one listener on {@code
 * 0.0.0.0:<port>} named after the route, one contract route per rule ({@code <route>.<rule name or
 * index>}), and the agents its offload steps use. Pure: no lookups, no problems. Where a rule sends
 * its requests is mapped by {@link BackendMapping}, its filters by {@link FilterMapping}.
 */
final class RouteMapping {
  private RouteMapping() {}

  /**
   * What one ProxyRoute adds to a pod's config.
   *
   * @param listener its listener
   * @param rules one per rule of its spec, in order
   * @param agents the agents its offload steps use, by contract name
   */
  record Mapped(DownstreamListener listener, List<RouteRule> rules, Map<String, Agent> agents) {}

  static Mapped map(ProxyRoute route, ResolvedRoute resolved) {
    String name = route.getMetadata().getName();
    DownstreamListener listener =
        listener(name, route.getSpec().listener(), resolved.listenerKeys());
    List<RouteRule> mapped = new ArrayList<>();
    Map<String, Agent> agents = new TreeMap<>();
    List<Rule> rules = route.getSpec().rules();
    RouteWide routeWide =
        new RouteWide(
            accessLog(route.getSpec().accessLog()),
            tracing(route.getSpec().tracing()),
            route.getSpec().hostnames() == null ? List.of() : route.getSpec().hostnames());
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      String ruleName = Names.of(name, rule.name() != null ? rule.name() : Integer.toString(i));
      mapped.add(
          rule(
              ruleName,
              listener.name(),
              rule,
              resolved.rules().get(i),
              agents,
              routeWide,
              List.of()));
    }
    return new Mapped(listener, mapped, agents);
  }

  /**
   * A rule an HTTPRoute attached to {@code route}: named after the route, with the route's access
   * log and tracing, its host in its match, its unavailable backends after the resolved ones.
   */
  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  static RouteRule attached(
      ProxyRoute route,
      String listener,
      AttachedRule attached,
      ResolvedRoute.Rule resolved,
      Map<String, Agent> agents) {
    RouteWide routeWide =
        new RouteWide(
            accessLog(route.getSpec().accessLog()), tracing(route.getSpec().tracing()), List.of());
    List<dev.sluice.sidecar.config.Backend> unavailable =
        attached.unavailable().stream()
            .map(u -> new dev.sluice.sidecar.config.Backend(u.weight(), null, u.reason()))
            .toList();
    return rule(
        Names.of(route.getMetadata().getName(), attached.name()),
        listener,
        attached.rule(),
        resolved,
        agents,
        routeWide,
        unavailable);
  }

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static DownstreamListener listener(
      String routeName, Listener listener, ResolvedRoute.@Nullable ListenerKeys keys) {
    boolean https = listener.protocol() == Listener.ListenerProtocol.HTTPS;
    return new DownstreamListener(
        Names.of(routeName),
        "0.0.0.0:" + listener.port(),
        https ? DownstreamListener.Protocol.HTTPS : DownstreamListener.Protocol.HTTP,
        https
            ? new ServerTls(
                requireNonNull(keys, "resolved: only complete routes are mapped").certificatePem(),
                keys.keyPem(),
                null,
                null,
                clientValidation(listener.tls(), keys.clientCaPem()))
            : null,
        null,
        limits(listener.limits()),
        http2(listener.http2()));
  }

  /**
   * The listener's client certificates (contract 4): the resolved CAs, its mode and identity
   * header; null when it asks for none.
   */
  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static @Nullable ClientValidation clientValidation(
      @Nullable ListenerTls tls, @Nullable String caPem) {
    ClientCertificates certs = tls == null ? null : tls.clientCertificates();
    if (certs == null) {
      return null;
    }
    return new ClientValidation(
        requireNonNull(caPem, "resolved: only complete routes are mapped"),
        null,
        certs.mode() == ClientCertificates.Mode.ALLOW_INSECURE_FALLBACK
            ? ClientValidation.Mode.ALLOW_INSECURE_FALLBACK
            : ClientValidation.Mode.ALLOW_VALID_ONLY,
        certs.identityHeader());
  }

  /** The listener's limits; absent ones at the sidecar's defaults. */
  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static dev.sluice.sidecar.config.@Nullable ListenerLimits limits(
      @Nullable ListenerLimits limits) {
    if (limits == null) {
      return null;
    }
    return new dev.sluice.sidecar.config.ListenerLimits(
        duration(limits.headerReadTimeout()),
        duration(limits.idleTimeout()),
        duration(limits.stalledWriteTimeout()),
        limits.maxConnections());
  }

  /** The HTTP/2 limits; absent stays absent, so configs older sidecars read do not change. */
  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static @Nullable Http2Limits http2(@Nullable ListenerHttp2 http2) {
    if (http2 == null) {
      return null;
    }
    return new Http2Limits(
        http2.maxConcurrentStreams(),
        http2.maxResetStreams(),
        duration(http2.resetWindow()),
        http2.maxBufferedResponseBytes());
  }

  /** One rule; the agents its offload steps use are added to {@code agents}. */
  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static RouteRule rule(
      String ruleName,
      String listener,
      Rule rule,
      ResolvedRoute.Rule resolved,
      Map<String, Agent> agents,
      RouteWide routeWide,
      List<dev.sluice.sidecar.config.Backend> unavailable) {
    List<RequestMatch> matches = RouteHostnames.apply(routeWide.hostnames(), matches(rule));
    List<RuleOffload> offload = new ArrayList<>();
    for (ResolvedRoute.Step step : resolved.offload()) {
      Agent agent = AgentMapping.agent(step.agent(), step.endpoints(), step.cluster());
      agents.put(agent.name(), agent);
      offload.add(new RuleOffload(agent.name(), step.messages()));
    }
    List<VariableAction> actions =
        rule.actions() == null
            ? List.of()
            : rule.actions().stream().map(RouteMapping::action).toList();
    return new RouteRule(
        ruleName,
        listener,
        matches,
        BackendMapping.upstream(rule, resolved),
        timeouts(rule.timeouts()),
        rule.maxRequestBodyBytes(),
        rule.zeroCopy(),
        offload,
        actions,
        rule.upgrades(),
        retry(rule.retry()),
        routeWide.accessLog(),
        routeWide.tracing(),
        FilterMapping.headers(rule.requestHeaders()),
        FilterMapping.headers(rule.responseHeaders()),
        FilterMapping.rewrite(rule.rewrite()),
        FilterMapping.redirect(rule.redirect()),
        BackendMapping.backends(rule, resolved, unavailable),
        FilterMapping.rateLimit(rule.rateLimit()),
        BackendMapping.mirrors(rule, resolved),
        FilterMapping.cors(rule.cors()));
  }

  /**
   * What the route sets for every rule of it; null where it says nothing (the contract's default,
   * left out of the config).
   */
  private record RouteWide(
      @Nullable RuleAccessLog accessLog, @Nullable RuleTracing tracing, List<String> hostnames) {}

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static @Nullable RuleAccessLog accessLog(@Nullable RouteAccessLog log) {
    if (log == null) {
      return null;
    }
    return new RuleAccessLog(
        log.enabled(),
        share(log.successSampling()),
        log.headers(),
        log.redactHeaders(),
        log.includeQuery());
  }

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static @Nullable RuleTracing tracing(@Nullable RouteTracing tracing) {
    if (tracing == null) {
      return null;
    }
    return new RuleTracing(tracing.createWhenAbsent(), share(tracing.sampling()));
  }

  /** A percentage as the CRD writes it ({@code 12.5%}) as the contract's share ({@code 0.125}). */
  static @Nullable Double share(@Nullable String percent) {
    if (percent == null) {
      return null;
    }
    String number = percent.strip();
    if (number.endsWith("%")) {
      number = number.substring(0, number.length() - 1);
    }
    return new BigDecimal(number).movePointLeft(2).doubleValue();
  }

  /** The retry policy; absent stays absent, so configs older sidecars read do not change. */
  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static @Nullable RetryPolicy retry(@Nullable Retry r) {
    if (r == null) {
      return null;
    }
    Retry.Budget b = r.budget();
    return new RetryPolicy(
        r.attempts(),
        r.codes(),
        r.on() == null
            ? null
            : r.on().stream()
                .map(
                    o ->
                        switch (o) {
                          case RESET -> RetryPolicy.On.RESET;
                          case PER_TRY_TIMEOUT -> RetryPolicy.On.PER_TRY_TIMEOUT;
                        })
                .toList(),
        r.methods() == null ? null : r.methods().stream().map(Enum::name).toList(),
        duration(r.perTryTimeout()),
        duration(r.backoff()),
        duration(r.maxBackoff()),
        b == null ? null : new RetryPolicy.Budget(b.percent(), b.minConcurrent()),
        r.maxReplayBytes());
  }

  private static List<RequestMatch> matches(Rule rule) {
    return rule.matches() == null
        ? List.of()
        : rule.matches().stream().map(RouteMapping::match).toList();
  }

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static RequestMatch match(RouteMatch m) {
    return new RequestMatch(
        m.host(),
        m.path() == null
            ? null
            : new PathCondition(
                m.path().type() == null ? null : PathCondition.Type.valueOf(m.path().type().name()),
                m.path().value()),
        m.methods() == null ? null : m.methods().stream().map(Enum::name).toList(),
        m.headers() == null ? null : m.headers().stream().map(RouteMapping::header).toList(),
        m.queryParams() == null
            ? null
            : m.queryParams().stream().map(FilterMapping::queryParam).toList());
  }

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static HeaderCondition header(HeaderMatch h) {
    return new HeaderCondition(
        h.name(),
        h.type() == null ? null : HeaderCondition.Type.valueOf(h.type().name()),
        h.value());
  }

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static @Nullable Timeouts timeouts(@Nullable RouteTimeouts t) {
    if (t == null) {
      return null;
    }
    return new Timeouts(
        duration(t.connect()),
        duration(t.request()),
        duration(t.idle()),
        duration(t.tunnelIdle()),
        bound(t.exchange()),
        bound(t.backendRequest()));
  }

  /**
   * A Gateway API timeout as the contract has it: absent for no bound, which Gateway API writes
   * "0s" (so a config that does not bound asks nothing of an older sidecar).
   */
  private static @Nullable Duration bound(@Nullable String text) {
    Duration bound = duration(text);
    return bound == null || bound.isZero() ? null : bound;
  }

  static @Nullable Duration duration(@Nullable String text) {
    return text == null ? null : Durations.parse(text);
  }

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static VariableAction action(Action a) {
    VariableAction.Deny deny = null;
    if (a.deny() != null) {
      var when = a.deny().when();
      deny =
          new VariableAction.Deny(
              when == null
                  ? null
                  : new VariableAction.VariableTest(
                      when.variable(),
                      when.operator() == null
                          ? null
                          : VariableAction.Operator.valueOf(when.operator().name()),
                      when.value()),
              a.deny().status(),
              a.deny().body());
    }
    return new VariableAction(deny, header(a.setRequestHeader()), header(a.setResponseHeader()));
  }

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static VariableAction.@Nullable HeaderFromVariable header(@Nullable SetHeaderAction h) {
    return h == null
        ? null
        : new VariableAction.HeaderFromVariable(h.name(), h.fromVariable(), h.removeWhenUnset());
  }
}
