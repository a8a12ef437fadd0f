package dev.sluice.operator.render;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.sidecar.config.AdminEndpoint;
import dev.sluice.sidecar.config.Agent;
import dev.sluice.sidecar.config.ConfigOrigin;
import dev.sluice.sidecar.config.ContractFields;
import dev.sluice.sidecar.config.ContractVersions;
import dev.sluice.sidecar.config.DownstreamListener;
import dev.sluice.sidecar.config.Revisions;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigValidator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders one pod's {@link SidecarConfig} from the ProxyRoutes selecting it, their OffloadAgents,
 * resolved Service endpoints and Secrets. A pure function: the same input gives the same config and
 * revision, whoever renders it and in whatever order the informers listed things.
 *
 * <p>Per route, oldest first: its port (an older ProxyRoute keeps a port both want), its references
 * ({@link References}), then its mapping to the contract ({@link RouteMapping}). One bad object
 * never breaks another: a ProxyRoute whose references do not resolve (missing Service port, with
 * inline endpoints a Service port without a ready one, missing Secret, OffloadAgent or message) or
 * whose port an older ProxyRoute already took is left out whole — never served half-configured, and
 * never with an offload step silently dropped — and the reason is returned as a problem naming
 * field and value.
 */
public final class Renderer {
  /**
   * Settings of the sidecar itself.
   *
   * @param adminAddress the admin listener (probes and metrics)
   * @param drainTimeout how long a replaced generation may finish its requests
   * @param serviceBackends how a rule's Service backend is rendered
   * @param contract the contract's version table: which version a config requires, and what a
   *     sidecar speaking an older one is sent ({@link ContractFields#CURRENT} but in tests)
   */
  public record Defaults(
      String adminAddress,
      Duration drainTimeout,
      ServiceBackends serviceBackends,
      ContractFields contract) {
    /**
     * Admin on every address of the pod: the kubelet probes {@code /ready} and {@code /live} on the
     * pod IP (the injected probes); the sidecar accepts {@code POST /reload} from loopback only.
     * Service backends inline until every sidecar reads clusters.
     */
    public static final Defaults STANDARD =
        new Defaults(
            "0.0.0.0:10090",
            Duration.ofSeconds(30),
            ServiceBackends.CLUSTERS,
            ContractFields.CURRENT);

    public Defaults withServiceBackends(ServiceBackends backends) {
      return new Defaults(adminAddress, drainTimeout, backends, contract);
    }

    public Defaults withContract(ContractFields table) {
      return new Defaults(adminAddress, drainTimeout, serviceBackends, table);
    }
  }

  /**
   * How a Service port becomes targets in the contract: a rule's backend (its upstream) and an
   * OffloadAgent's service (its agent entry) alike. Static endpoints are written as they are either
   * way.
   */
  public enum ServiceBackends {
    /**
     * The ready endpoints written into the config: an endpoint change is a new revision, rolled out
     * pod by pod; a Service port without a ready endpoint leaves the route out (NoEndpoints).
     */
    INLINE,
    /**
     * The Service port's cluster name ({@code <namespace>/<service>:<port>}); its endpoints reach
     * the sidecars apart from the config, at once, and never change the revision. A Service port
     * without a ready endpoint is not a render problem (the sidecar answers 503 for a backend, and
     * applies an agent's failure policy).
     */
    CLUSTERS
  }

  private Renderer() {}

  public static Rendering render(RenderInput input, Defaults defaults) {
    References references =
        new References(input, defaults.serviceBackends() == ServiceBackends.CLUSTERS);
    List<RenderProblem> problems = new ArrayList<>();
    Map<Integer, String> ports = new LinkedHashMap<>();
    List<DownstreamListener> listeners = new ArrayList<>();
    List<RouteRule> rules = new ArrayList<>();
    Map<String, Agent> agents = new TreeMap<>();
    List<String> rendered = new ArrayList<>();
    for (ProxyRoute route : oldestFirst(input.routes())) {
      String name = route.getMetadata().getName();
      Integer port = route.getSpec().listener().port();
      String owner = ports.get(port);
      if (owner != null) {
        problems.add(portConflict(name, port, owner));
        continue;
      }
      ResolvedRoute resolved = references.resolve(route);
      problems.addAll(resolved.problems());
      if (!resolved.complete()) {
        continue; // left out whole; its problems say why
      }
      ports.put(port, name);
      rendered.add(input.namespace() + "/" + name);
      RouteMapping.Mapped mapped = RouteMapping.map(route, resolved);
      listeners.add(mapped.listener());
      rules.addAll(mapped.rules());
      agents.putAll(mapped.agents());
      rules.addAll(attached(input, references, route, mapped.listener(), agents, defaults));
    }
    SidecarConfig drafted =
        new SidecarConfig(
            ContractVersions.OLDEST_SUPPORTED,
            null,
            new AdminEndpoint(defaults.adminAddress()),
            defaults.drainTimeout(),
            listeners,
            rules,
            List.copyOf(agents.values()),
            rendered.isEmpty() ? null : new ConfigOrigin(rendered));
    // The version a config declares is the newest contract a field it uses needs.
    SidecarConfig config = drafted.withVersion(defaults.contract().required(drafted));
    // An agent shared by several routes reports its own problem once.
    List<RenderProblem> distinct = List.copyOf(new LinkedHashSet<>(problems));
    return new Rendering(config.withRevision(Revisions.of(config)), distinct);
  }

  /**
   * The problems of one OffloadAgent on its own (its endpoints), whether or not a route uses it:
   * what the agent's own status reports.
   */
  public static List<RenderProblem> checkAgent(OffloadAgent agent, RenderInput input) {
    return List.copyOf(new References(input, false).check(agent));
  }

  /**
   * The rules HTTPRoutes attach to {@code route}, in their precedence order. The attachment checked
   * their references against the same input and what it can of their values; a rule that does not
   * resolve all the same, or that the sidecar's own validation refuses on its own, is left out
   * alone (its HTTPRoute's status names what the attachment found), never the ProxyRoute with it.
   */
  private static List<RouteRule> attached(
      RenderInput input,
      References references,
      ProxyRoute route,
      DownstreamListener listener,
      Map<String, Agent> agents,
      Defaults defaults) {
    String name = route.getMetadata().getName();
    List<RouteRule> out = new ArrayList<>();
    for (AttachedRule rule : input.attachedTo(name)) {
      List<RenderProblem> problems = new ArrayList<>();
      ResolvedRoute.Rule resolved = references.resolveAttached(name, rule, problems);
      if (problems.isEmpty()) {
        RouteRule mapped = RouteMapping.attached(route, listener.name(), rule, resolved, agents);
        if (servable(mapped, listener, defaults)) {
          out.add(mapped);
        }
      }
    }
    return out;
  }

  /** Whether the sidecar's validation takes {@code rule} in a config of its listener alone. */
  private static boolean servable(RouteRule rule, DownstreamListener listener, Defaults defaults) {
    SidecarConfig alone =
        new SidecarConfig(
            ContractVersions.CURRENT,
            null,
            new AdminEndpoint(defaults.adminAddress()),
            defaults.drainTimeout(),
            List.of(listener),
            List.of(rule),
            List.of(),
            null);
    return SidecarConfigValidator.validate(alone).isEmpty();
  }

  /** Older first: on a port conflict the route that had the port keeps it. */
  private static List<ProxyRoute> oldestFirst(List<ProxyRoute> routes) {
    List<ProxyRoute> ordered = new ArrayList<>(routes);
    ordered.sort(
        Comparator.comparing(
                (ProxyRoute r) ->
                    r.getMetadata().getCreationTimestamp() == null
                        ? ""
                        : r.getMetadata().getCreationTimestamp())
            .thenComparing(r -> r.getMetadata().getName()));
    return ordered;
  }

  private static RenderProblem portConflict(String route, Integer port, String owner) {
    return RenderProblem.notAccepted(
        RenderProblem.Kind.PROXY_ROUTE,
        route,
        Reasons.PORT_CONFLICT,
        "spec.listener.port",
        String.valueOf(port),
        "a port no other ProxyRoute selecting the same pods uses (ProxyRoute "
            + owner
            + " has it)");
  }
}
