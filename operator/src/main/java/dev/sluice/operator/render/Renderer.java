package dev.sluice.operator.render;

import dev.sluice.api.v1alpha1.Action;
import dev.sluice.api.v1alpha1.Backend;
import dev.sluice.api.v1alpha1.BackendTls;
import dev.sluice.api.v1alpha1.ConditionTypes;
import dev.sluice.api.v1alpha1.HeaderMatch;
import dev.sluice.api.v1alpha1.Listener;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.OffloadAgentSpec;
import dev.sluice.api.v1alpha1.OffloadStep;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.api.v1alpha1.RouteMatch;
import dev.sluice.api.v1alpha1.RouteTimeouts;
import dev.sluice.api.v1alpha1.Rule;
import dev.sluice.api.v1alpha1.SetHeaderAction;
import dev.sluice.sidecar.config.AdminEndpoint;
import dev.sluice.sidecar.config.Agent;
import dev.sluice.sidecar.config.AgentMessage;
import dev.sluice.sidecar.config.AgentVariables;
import dev.sluice.sidecar.config.DownstreamListener;
import dev.sluice.sidecar.config.Durations;
import dev.sluice.sidecar.config.HeaderCondition;
import dev.sluice.sidecar.config.PathCondition;
import dev.sluice.sidecar.config.RequestMatch;
import dev.sluice.sidecar.config.Revisions;
import dev.sluice.sidecar.config.Route;
import dev.sluice.sidecar.config.RouteOffload;
import dev.sluice.sidecar.config.ServerTls;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SpopTimeouts;
import dev.sluice.sidecar.config.Timeouts;
import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.config.UpstreamTls;
import dev.sluice.sidecar.config.VariableAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders one pod's {@link SidecarConfig} from the ProxyRoutes selecting it, their OffloadAgents,
 * resolved Service endpoints and Secrets. A pure function: the same input gives the same config and
 * revision, whoever renders it and in whatever order the informers listed things.
 *
 * <p>One bad object never breaks another: a ProxyRoute whose references do not resolve (Service
 * without ready endpoints, missing Secret, OffloadAgent or message) or whose port an older
 * ProxyRoute already took is left out whole — never served half-configured, and never with an
 * offload step silently dropped — and the reason is returned as a problem naming field and value.
 */
public final class Renderer {
  /**
   * Settings of the sidecar itself.
   *
   * @param adminAddress the admin listener (probes and metrics)
   * @param drainTimeout how long a replaced generation may finish its requests
   */
  public record Defaults(String adminAddress, Duration drainTimeout) {
    /**
     * Admin on every address of the pod: the kubelet probes {@code /ready} and {@code /live} on the
     * pod IP (the injected probes); the sidecar accepts {@code POST /reload} from loopback only.
     */
    public static final Defaults STANDARD = new Defaults("0.0.0.0:10090", Duration.ofSeconds(30));
  }

  private final RenderInput input;
  private final List<RenderProblem> problems = new ArrayList<>();
  private final Map<String, Agent> agentsUsed = new TreeMap<>();

  private Renderer(RenderInput input) {
    this.input = input;
  }

  public static Rendering render(RenderInput input, Defaults defaults) {
    return new Renderer(input).run(defaults);
  }

  /**
   * The problems of one OffloadAgent on its own (its endpoints), whether or not a route uses it:
   * what the agent's own status reports.
   */
  public static List<RenderProblem> checkAgent(OffloadAgent agent, RenderInput input) {
    Renderer renderer = new Renderer(input);
    renderer.agent(agent);
    return List.copyOf(renderer.problems);
  }

  private Rendering run(Defaults defaults) {
    List<ProxyRoute> ordered = new ArrayList<>(input.routes());
    // Older first: on a port conflict the route that had the port keeps it.
    ordered.sort(
        Comparator.comparing(
                (ProxyRoute r) ->
                    r.getMetadata().getCreationTimestamp() == null
                        ? ""
                        : r.getMetadata().getCreationTimestamp())
            .thenComparing(r -> r.getMetadata().getName()));
    Map<Integer, String> ports = new LinkedHashMap<>();
    List<DownstreamListener> listeners = new ArrayList<>();
    List<Route> routes = new ArrayList<>();
    for (ProxyRoute route : ordered) {
      String name = route.getMetadata().getName();
      Listener listener = route.getSpec().listener();
      String owner = ports.get(listener.port());
      if (owner != null) {
        problem(
            "ProxyRoute",
            name,
            ConditionTypes.ACCEPTED,
            Reasons.PORT_CONFLICT,
            "spec.listener.port",
            String.valueOf(listener.port()),
            "a port no other ProxyRoute selecting the same pods uses (ProxyRoute "
                + owner
                + " has it)");
        continue;
      }
      int before = problems.size();
      Map<String, Agent> agents = new TreeMap<>();
      DownstreamListener downstream = listener(name, listener);
      List<Route> rendered = new ArrayList<>();
      List<Rule> rules = route.getSpec().rules();
      for (int i = 0; i < rules.size(); i++) {
        rendered.add(rule(name, downstream.name(), rules.get(i), i, agents));
      }
      if (problems.size() > before) {
        continue; // left out whole; its problems say why
      }
      ports.put(listener.port(), name);
      listeners.add(downstream);
      routes.addAll(rendered);
      agentsUsed.putAll(agents);
    }
    SidecarConfig config =
        new SidecarConfig(
            SidecarConfig.VERSION,
            null,
            new AdminEndpoint(defaults.adminAddress()),
            defaults.drainTimeout(),
            listeners,
            routes,
            List.copyOf(agentsUsed.values()));
    // An agent shared by several routes reports its own problem once.
    List<RenderProblem> distinct = List.copyOf(new java.util.LinkedHashSet<>(problems));
    return new Rendering(config.withRevision(Revisions.of(config)), distinct);
  }

  private DownstreamListener listener(String routeName, Listener listener) {
    ServerTls tls = null;
    DownstreamListener.Protocol protocol = DownstreamListener.Protocol.HTTP;
    if (listener.protocol() == Listener.ListenerProtocol.HTTPS) {
      protocol = DownstreamListener.Protocol.HTTPS;
      String secret = listener.tls() == null ? null : listener.tls().secretName();
      Map<String, String> data = secret == null ? null : input.secrets().get(secret);
      if (data == null || data.get("tls.crt") == null || data.get("tls.key") == null) {
        problem(
            "ProxyRoute",
            routeName,
            ConditionTypes.RESOLVED_REFS,
            Reasons.SECRET_NOT_FOUND,
            "spec.listener.tls.secretName",
            String.valueOf(secret),
            "a kubernetes.io/tls Secret in namespace "
                + input.namespace()
                + " with tls.crt and tls.key");
      } else {
        tls = new ServerTls(data.get("tls.crt"), data.get("tls.key"), null, null);
      }
    }
    return new DownstreamListener(
        Names.of(routeName), "0.0.0.0:" + listener.port(), protocol, tls, null);
  }

  private Route rule(
      String routeName, String listener, Rule rule, int index, Map<String, Agent> agents) {
    String path = "spec.rules[" + index + "]";
    List<RequestMatch> matches = new ArrayList<>();
    if (rule.matches() != null) {
      for (RouteMatch m : rule.matches()) {
        matches.add(
            new RequestMatch(
                m.host(),
                m.path() == null
                    ? null
                    : new PathCondition(
                        m.path().type() == null
                            ? null
                            : PathCondition.Type.valueOf(m.path().type().name()),
                        m.path().value()),
                m.methods() == null ? null : m.methods().stream().map(Enum::name).toList(),
                m.headers() == null ? null : m.headers().stream().map(Renderer::header).toList()));
      }
    }
    List<RouteOffload> offload = new ArrayList<>();
    if (rule.offload() != null) {
      for (int o = 0; o < rule.offload().size(); o++) {
        RouteOffload step =
            offload(routeName, path + ".offload[" + o + "]", rule.offload().get(o), agents);
        if (step != null) {
          offload.add(step);
        }
      }
    }
    List<VariableAction> actions =
        rule.actions() == null ? List.of() : rule.actions().stream().map(Renderer::action).toList();
    return new Route(
        Names.of(routeName, rule.name() != null ? rule.name() : Integer.toString(index)),
        listener,
        matches,
        upstream(routeName, path + ".backend", rule.backend()),
        timeouts(rule.timeouts()),
        rule.maxRequestBodyBytes(),
        rule.zeroCopy(),
        offload,
        actions);
  }

  private static HeaderCondition header(HeaderMatch h) {
    return new HeaderCondition(
        h.name(),
        h.type() == null ? null : HeaderCondition.Type.valueOf(h.type().name()),
        h.value());
  }

  private static Timeouts timeouts(RouteTimeouts t) {
    if (t == null) {
      return null;
    }
    return new Timeouts(duration(t.connect()), duration(t.request()), duration(t.idle()));
  }

  private static Duration duration(String text) {
    return text == null ? null : Durations.parse(text);
  }

  private Upstream upstream(String routeName, String path, Backend backend) {
    List<String> endpoints =
        resolve("ProxyRoute", routeName, path, backend.service(), backend.endpoints());
    UpstreamTls tls = null;
    BackendTls t = backend.tls();
    if (t != null) {
      String caPem = null;
      if (t.caSecretName() != null) {
        Map<String, String> data = input.secrets().get(t.caSecretName());
        caPem = data == null ? null : data.get("ca.crt");
        if (caPem == null) {
          problem(
              "ProxyRoute",
              routeName,
              ConditionTypes.RESOLVED_REFS,
              Reasons.SECRET_NOT_FOUND,
              path + ".tls.caSecretName",
              t.caSecretName(),
              "a Secret in namespace " + input.namespace() + " with ca.crt");
        }
      }
      tls = new UpstreamTls(t.serverName(), caPem, t.insecureSkipVerify());
    }
    Upstream.Protocol protocol =
        backend.protocol() == null ? null : Upstream.Protocol.valueOf(backend.protocol().name());
    return new Upstream(protocol, endpoints, tls, null);
  }

  /** Static endpoints as given, or the Service port's ready endpoints (a problem when none). */
  private List<String> resolve(
      String kind,
      String name,
      String path,
      dev.sluice.api.v1alpha1.ServiceReference service,
      List<String> endpoints) {
    if (service == null) {
      return endpoints == null ? List.of() : List.copyOf(endpoints);
    }
    ServiceKey key = new ServiceKey(service.name(), service.port());
    List<String> ready = input.endpoints().get(key);
    if (ready == null || ready.isEmpty()) {
      problem(
          kind,
          name,
          ConditionTypes.RESOLVED_REFS,
          ready == null ? Reasons.SERVICE_NOT_FOUND : Reasons.NO_ENDPOINTS,
          path + ".service",
          key.toString(),
          ready == null
              ? "a Service in namespace " + input.namespace() + " with that port"
              : "ready endpoints behind the Service port");
      return List.of();
    }
    return ready.stream().sorted().toList();
  }

  private RouteOffload offload(
      String routeName, String path, OffloadStep step, Map<String, Agent> agents) {
    OffloadAgent agent = input.agents().get(step.agent());
    if (agent == null) {
      problem(
          "ProxyRoute",
          routeName,
          ConditionTypes.RESOLVED_REFS,
          Reasons.AGENT_NOT_FOUND,
          path + ".agent",
          step.agent(),
          "an OffloadAgent in namespace " + input.namespace());
      return null;
    }
    OffloadAgentSpec spec = agent.getSpec();
    List<String> known =
        spec.messages() == null
            ? List.of()
            : spec.messages().stream().map(dev.sluice.api.v1alpha1.Message::name).toList();
    List<String> messages = step.messages() == null ? List.of() : step.messages();
    for (int m = 0; m < messages.size(); m++) {
      if (!known.contains(messages.get(m))) {
        problem(
            "ProxyRoute",
            routeName,
            ConditionTypes.RESOLVED_REFS,
            Reasons.MESSAGE_NOT_FOUND,
            path + ".messages[" + m + "]",
            messages.get(m),
            "a message of OffloadAgent " + step.agent() + ": " + known);
      }
    }
    Agent rendered = agent(agent);
    if (rendered == null) {
      problem(
          "ProxyRoute",
          routeName,
          ConditionTypes.RESOLVED_REFS,
          Reasons.NO_ENDPOINTS,
          path + ".agent",
          step.agent(),
          "an OffloadAgent with reachable endpoints (see its status)");
      return null;
    }
    agents.put(rendered.name(), rendered);
    return new RouteOffload(rendered.name(), messages);
  }

  /** The agent's contract entry, or null when its endpoints do not resolve. */
  private Agent agent(OffloadAgent agent) {
    String name = agent.getMetadata().getName();
    OffloadAgentSpec spec = agent.getSpec();
    int before = problems.size();
    List<String> endpoints =
        resolve("OffloadAgent", name, "spec", spec.service(), spec.endpoints());
    if (problems.size() > before) {
      return null;
    }
    var spop = spec.spop();
    var timeouts = spec.timeouts();
    var variables = spec.variables();
    List<AgentMessage> messages = new ArrayList<>();
    if (spec.messages() != null) {
      for (var m : spec.messages()) {
        messages.add(
            new AgentMessage(
                m.name(),
                m.event() == null ? null : AgentMessage.Event.valueOf(m.event().name()),
                m.args() == null
                    ? null
                    : m.args().stream()
                        .map(a -> new AgentMessage.Argument(a.name(), a.value()))
                        .toList()));
      }
    }
    return new Agent(
        Names.of(name),
        endpoints,
        spop == null ? null : spop.maxConnections(),
        spop == null ? null : spop.pipelining(),
        spop == null ? null : spop.maxInFlightPerConnection(),
        spop == null ? null : spop.maxFrameSize(),
        timeouts == null
            ? null
            : new SpopTimeouts(
                duration(timeouts.hello()),
                duration(timeouts.idle()),
                duration(timeouts.processing())),
        messages,
        new AgentVariables(
            variables != null && variables.prefix() != null
                ? variables.prefix()
                : name.replace('-', '_'),
            variables == null ? null : variables.onError(),
            variables == null ? null : variables.processTime()),
        spec.failurePolicy() == null
            ? null
            : Agent.FailurePolicy.valueOf(spec.failurePolicy().name()),
        spec.denyStatus());
  }

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

  private static VariableAction.HeaderFromVariable header(SetHeaderAction h) {
    return h == null
        ? null
        : new VariableAction.HeaderFromVariable(h.name(), h.fromVariable(), h.removeWhenUnset());
  }

  private void problem(
      String kind,
      String name,
      String type,
      String reason,
      String field,
      String found,
      String expected) {
    problems.add(new RenderProblem(kind, name, type, reason, field, found, expected));
  }
}
