package dev.sluice.sidecar.runtime;

import dev.sluice.sidecar.accesslog.AccessLog;
import dev.sluice.sidecar.accesslog.AccessLogOutput;
import dev.sluice.sidecar.backends.Backends;
import dev.sluice.sidecar.config.Agent;
import dev.sluice.sidecar.config.RateLimit;
import dev.sluice.sidecar.config.RequestMirror;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.RuleAccessLog;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.endpoints.EndpointTable;
import dev.sluice.sidecar.filters.RuleEdits;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.mirror.Mirror;
import dev.sluice.sidecar.mirror.MirrorPermits;
import dev.sluice.sidecar.mirror.Mirrors;
import dev.sluice.sidecar.offload.AgentClient;
import dev.sluice.sidecar.offload.AgentHealth;
import dev.sluice.sidecar.offload.AgentSettings;
import dev.sluice.sidecar.offload.OffloadPlan;
import dev.sluice.sidecar.ratelimit.RateLimiter;
import dev.sluice.sidecar.ratelimit.RateLimits;
import dev.sluice.sidecar.routing.RequestTarget;
import dev.sluice.sidecar.routing.RuleTable;
import dev.sluice.sidecar.trace.Spans;
import dev.sluice.sidecar.trace.TraceSettings;
import dev.sluice.sidecar.transport.Io;
import dev.sluice.sidecar.upstream.UpstreamPool;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A runtime built from one config: rule tables per listener and the upstream pools they use.
 * Requests bind to the generation current when they start; a reload swaps in a new one and closes
 * this one once drained. Its structure never changes; its pools' and agents' endpoints do (a
 * cluster's from the {@link EndpointTable}, and a pool's static ones when a config changes nothing
 * else, see {@link #replaceStaticEndpoints}).
 */
public final class Generation implements AutoCloseable {
  private volatile SidecarConfig config;
  private final Map<String, RuleTable<BoundRule>> tables;
  private final Map<String, AccessLog> localAnswerLogs;
  private final Map<Upstream, UpstreamPool> pools;
  private final Map<String, UpstreamPool> poolsByPlace;
  private final Map<String, AgentClient> agents;
  private final InFlight inFlight;
  private final EndpointTable endpointTable;

  private Generation(
      SidecarConfig config,
      Map<String, RuleTable<BoundRule>> tables,
      Map<String, AccessLog> localAnswerLogs,
      Map<Upstream, UpstreamPool> pools,
      Map<String, AgentClient> agents,
      InFlight inFlight,
      EndpointTable endpointTable) {
    this.config = config;
    this.inFlight = inFlight;
    this.tables = Map.copyOf(tables);
    this.localAnswerLogs = Map.copyOf(localAnswerLogs);
    this.pools = Map.copyOf(pools);
    this.agents = Map.copyOf(agents);
    this.endpointTable = endpointTable;
    Map<String, UpstreamPool> byPlace = new LinkedHashMap<>();
    config
        .rules()
        .forEach(
            rule ->
                UpstreamPlaces.of(rule)
                    .forEach((place, upstream) -> byPlace.put(place, pools.get(upstream))));
    this.poolsByPlace = Collections.unmodifiableMap(byPlace);
  }

  /**
   * Builds every part. Upstreams connect when requests arrive; agent clients start their health
   * checks at once, each on one loop of {@code loops}. Each rule logs to {@code accessLog} as its
   * {@code accessLog} settings say, and takes its rate limiter from {@code rateLimits} (the running
   * one when its limit is unchanged).
   */
  public static Generation build(
      SidecarConfig config,
      Io io,
      EventLoopGroup loops,
      ProxyMetrics metrics,
      EndpointTable endpointTable,
      AccessLogOutput accessLog,
      Spans spans,
      RateLimits rateLimits) {
    Map<String, Agent> agentConfigs = new HashMap<>();
    Map<String, AgentClient> agents = new HashMap<>();
    for (Agent agent : config.agents()) {
      agentConfigs.put(agent.name(), agent);
      agents.put(
          agent.name(),
          new AgentClient(AgentSettings.of(agent), io, loops.next(), metrics, endpointTable));
    }
    Map<Upstream, UpstreamPool> pools = new HashMap<>();
    Map<Upstream, MirrorPermits> mirrorPermits = new HashMap<>();
    Map<String, RuleTable<BoundRule>> tables = new HashMap<>();
    Map<String, AccessLog> localAnswerLogs = new HashMap<>();
    InFlight inFlight = new InFlight();
    config
        .listeners()
        .forEach(
            listener -> {
              List<RouteRule> rules =
                  config.rules().stream()
                      .filter(r -> r.listener().equals(listener.name()))
                      .toList();
              tables.put(
                  listener.name(),
                  RuleTable.compile(
                      rules,
                      rule ->
                          new BoundRule(
                              rule,
                              backends(rule, u -> pool(pools, u, io, endpointTable, metrics)),
                              OffloadPlan.compile(rule, agentConfigs, agents),
                              inFlight,
                              accessLog.forRule(rule.accessLog()),
                              TraceSettings.of(rule.tracing()),
                              spans,
                              RuleEdits.of(rule),
                              rateLimiter(rule, rateLimits),
                              mirrors(
                                  rule,
                                  u -> pool(pools, u, io, endpointTable, metrics),
                                  mirrorPermits,
                                  metrics))));
              localAnswerLogs.put(
                  listener.name(),
                  accessLog.forRule(
                      RuleAccessLog.strictestOf(
                          rules.stream().map(RouteRule::accessLog).toList())));
            });
    rateLimits.retain(
        config.rules().stream()
            .filter(rule -> rule.rateLimit() != null)
            .map(RouteRule::name)
            .collect(Collectors.toSet()));
    return new Generation(config, tables, localAnswerLogs, pools, agents, inFlight, endpointTable);
  }

  /** The pool of {@code upstream}: one per distinct upstream, shared by the rules naming it. */
  private static UpstreamPool pool(
      Map<Upstream, UpstreamPool> pools,
      Upstream upstream,
      Io io,
      EndpointTable endpointTable,
      ProxyMetrics metrics) {
    return pools.computeIfAbsent(upstream, u -> new UpstreamPool(u, io, endpointTable, metrics));
  }

  /** {@code rule}'s one upstream, or its weighted backends, each leasing from its pool. */
  private static Backends backends(RouteRule rule, Function<Upstream, UpstreamPool> pool) {
    Upstream upstream = rule.upstream();
    if (upstream != null) {
      return Backends.single(pool.apply(upstream), upstream.protocol());
    }
    if (rule.redirect() != null) {
      return Backends.none(rule.name());
    }
    return Backends.weighted(rule.backends(), pool::apply, null);
  }

  /**
   * {@code rule}'s mirrors, each leasing from the pool of its upstream (shared with rules and
   * backends of equal upstream) and drawing on that upstream's permits (shared by every mirror to
   * it).
   */
  private static Mirrors mirrors(
      RouteRule rule,
      Function<Upstream, UpstreamPool> pool,
      Map<Upstream, MirrorPermits> permits,
      ProxyMetrics metrics) {
    if (rule.mirrors().isEmpty()) {
      return Mirrors.NONE;
    }
    List<Mirror> mirrors = new ArrayList<>();
    for (RequestMirror mirror : rule.mirrors()) {
      Upstream upstream = mirror.upstream();
      mirrors.add(
          new Mirror(
              rule.name(),
              mirror,
              pool.apply(upstream),
              permits.computeIfAbsent(upstream, u -> new MirrorPermits()),
              rule.timeouts(),
              metrics));
    }
    return new Mirrors(mirrors);
  }

  private static @Nullable RateLimiter rateLimiter(RouteRule rule, RateLimits rateLimits) {
    RateLimit limit = rule.rateLimit();
    return limit == null ? null : rateLimits.forRule(rule.name(), limit);
  }

  /**
   * Applies {@code next} in place when it differs from the running config in static endpoints only
   * and rules that share a pool keep equal endpoints: the pools get the new endpoints, the
   * generation carries {@code next} from now on. False (nothing changed) otherwise: a reload.
   */
  public synchronized boolean replaceStaticEndpoints(SidecarConfig next) {
    Map<String, List<String>> byPlace = StaticEndpointChange.between(config, next);
    if (byPlace == null) {
      return false;
    }
    // UpstreamPool has identity equality: a plain map keys it by identity.
    Map<UpstreamPool, List<String>> byPool = new HashMap<>();
    for (Map.Entry<String, List<String>> place : byPlace.entrySet()) {
      UpstreamPool pool = poolsByPlace.get(place.getKey());
      List<String> before = pool == null ? null : byPool.putIfAbsent(pool, place.getValue());
      if (pool == null || (before != null && !before.equals(place.getValue()))) {
        return false; // rules sharing a pool now want different endpoints: a new generation
      }
    }
    byPool.forEach(UpstreamPool::replaceStaticEndpoints);
    config = next;
    return true;
  }

  /**
   * Each upstream pool with the places that use it ({@code <rule>}, {@code <rule> backends[i]}), in
   * rule order.
   */
  public Map<UpstreamPool, List<String>> upstreams() {
    Map<UpstreamPool, List<String>> rules = new LinkedHashMap<>();
    poolsByPlace.forEach(
        (rule, pool) -> rules.computeIfAbsent(pool, p -> new ArrayList<>()).add(rule));
    return rules;
  }

  /**
   * Endpoints of {@code cluster} ejected now by the outlier detection of any pool following it
   * (each address once).
   */
  public int ejectedEndpoints(String cluster) {
    Set<String> ejected = new HashSet<>();
    for (UpstreamPool pool : pools.values()) {
      if (cluster.equals(pool.config().cluster())) {
        pool.outliers().ejected().forEach(endpoint -> ejected.add(endpoint.address()));
      }
    }
    return ejected.size();
  }

  /** The sidecar's endpoint table (the clusters' endpoints and their version). */
  public EndpointTable endpointTable() {
    return endpointTable;
  }

  /**
   * The rule for a request on {@code listener}, with the match that accepted it; null when none
   * accepts it.
   */
  public RuleTable.@Nullable Routed<BoundRule> rule(
      String listener, RequestTarget target, HttpRequest request) {
    RuleTable<BoundRule> table = tables.get(listener);
    return table == null ? null : table.route(target, request);
  }

  /**
   * How requests on {@code listener} answered before a rule was chosen (a head that cannot be read,
   * no rule) are logged: as strictly as its strictest rule ({@link RuleAccessLog#strictestOf}).
   */
  public AccessLog localAnswerLog(String listener) {
    return localAnswerLogs.getOrDefault(listener, AccessLog.OFF);
  }

  public SidecarConfig config() {
    return config;
  }

  public @Nullable String revision() {
    return config.revision();
  }

  /** Requests running on this generation. */
  public InFlight inFlight() {
    return inFlight;
  }

  /** Offload events awaiting their outcome, across this generation's agents. */
  public int offloadInFlight() {
    return agents.values().stream().mapToInt(AgentClient::pending).sum();
  }

  /** Offload events that ended at their processing timeout so far, across agents. */
  public long offloadTimeouts() {
    return agents.values().stream().mapToLong(AgentClient::timeouts).sum();
  }

  /** Each agent's health, for those whose endpoints were all checked at least once. */
  public Map<String, AgentHealth> agentHealth() {
    Map<String, AgentHealth> health = new TreeMap<>();
    agents.forEach(
        (name, client) -> {
          var h = client.health();
          if (h != null) {
            health.put(name, h);
          }
        });
    return health;
  }

  public @Nullable AgentClient agent(String name) {
    return agents.get(name);
  }

  /** Every agent client, by agent name. */
  public Map<String, AgentClient> agents() {
    return new TreeMap<>(agents);
  }

  @Override
  public void close() {
    pools.values().forEach(UpstreamPool::close);
    agents.values().forEach(AgentClient::close);
  }
}
