package dev.sluice.operator.render;

import static dev.sluice.operator.render.RenderProblem.Kind.OFFLOAD_AGENT;
import static dev.sluice.operator.render.RenderProblem.Kind.PROXY_ROUTE;

import dev.sluice.api.v1alpha1.Backend;
import dev.sluice.api.v1alpha1.BackendTarget;
import dev.sluice.api.v1alpha1.BackendTls;
import dev.sluice.api.v1alpha1.ClientCertificates;
import dev.sluice.api.v1alpha1.Listener;
import dev.sluice.api.v1alpha1.Message;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.OffloadStep;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.api.v1alpha1.Rule;
import dev.sluice.api.v1alpha1.ServiceReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Resolves what ProxyRoutes and OffloadAgents name — Service ports (a rule's or an agent's to its
 * cluster, or to its ready endpoints when rendered inline; an agent's own status always reads its
 * ready endpoints), Secrets, client CA ConfigMaps and OffloadAgents — against what the informers
 * hold. A reference that does not resolve is a problem naming field and value; the mapping to the
 * sidecar contract only ever sees routes whose references all resolved.
 */
final class References {
  private final RenderInput input;
  private final boolean clusters;

  /**
   * {@code clusters}: a rule's or an agent's Service port renders as its cluster, not its ready
   * endpoints.
   */
  References(RenderInput input, boolean clusters) {
    this.input = input;
    this.clusters = clusters;
  }

  /** Every reference of {@code route}, its problems in the order of the spec's fields. */
  ResolvedRoute resolve(ProxyRoute route) {
    String name = route.getMetadata().getName();
    List<RenderProblem> problems = new ArrayList<>();
    ResolvedRoute.ListenerKeys keys = listenerKeys(name, route.getSpec().listener(), problems);
    List<ResolvedRoute.Rule> rules = new ArrayList<>();
    List<Rule> specRules = route.getSpec().rules();
    for (int i = 0; i < specRules.size(); i++) {
      rules.add(rule(name, "spec.rules[" + i + "]", specRules.get(i), problems));
    }
    return new ResolvedRoute(keys, rules, problems);
  }

  /**
   * The references of a rule an HTTPRoute attached to {@code route}; its problems (none when the
   * attachment checked the same references) are added to {@code problems}.
   */
  ResolvedRoute.Rule resolveAttached(
      String route, AttachedRule attached, List<RenderProblem> problems) {
    return rule(route, "attached rule " + attached.name(), attached.rule(), problems);
  }

  /** The problems of an OffloadAgent on its own (its endpoints), whether or not a route uses it. */
  List<RenderProblem> check(OffloadAgent agent) {
    List<RenderProblem> problems = new ArrayList<>();
    agentEndpoints(agent, problems);
    return problems;
  }

  /**
   * The HTTPS listener's certificate and key, and its client CAs when it asks for client
   * certificates; null for HTTP, or when one of them does not resolve (its problems added: the
   * Secret's first, then each CA reference's).
   */
  private ResolvedRoute.@Nullable ListenerKeys listenerKeys(
      String route, Listener listener, List<RenderProblem> problems) {
    if (listener.protocol() != Listener.ListenerProtocol.HTTPS) {
      return null;
    }
    String secret = listener.tls() == null ? null : listener.tls().secretName();
    Map<String, String> data = secret == null ? null : input.secrets().get(secret);
    String certificate = data == null ? null : data.get("tls.crt");
    String key = data == null ? null : data.get("tls.key");
    if (certificate == null || key == null) {
      problems.add(
          RenderProblem.unresolved(
              PROXY_ROUTE,
              route,
              Reasons.SECRET_NOT_FOUND,
              "spec.listener.tls.secretName",
              String.valueOf(secret),
              "a kubernetes.io/tls Secret in namespace "
                  + input.namespace()
                  + " with tls.crt and tls.key"));
    }
    ClientCertificates certs = listener.tls() == null ? null : listener.tls().clientCertificates();
    String clientCaPem =
        certs == null ? null : ClientCaCertificates.resolve(input, route, certs, problems);
    if (certificate == null || key == null || (certs != null && clientCaPem == null)) {
      return null;
    }
    return new ResolvedRoute.ListenerKeys(certificate, key, clientCaPem);
  }

  /** Offload steps first, then the backend's endpoints, then its CA. */
  private ResolvedRoute.Rule rule(
      String route, String path, Rule rule, List<RenderProblem> problems) {
    List<ResolvedRoute.Step> offload = new ArrayList<>();
    if (rule.offload() != null) {
      for (int o = 0; o < rule.offload().size(); o++) {
        ResolvedRoute.Step step =
            step(route, path + ".offload[" + o + "]", rule.offload().get(o), problems);
        if (step != null) {
          offload.add(step);
        }
      }
    }
    List<ResolvedRoute.Target> weighted = new ArrayList<>();
    if (rule.backends() != null) {
      for (int b = 0; b < rule.backends().size(); b++) {
        weighted.add(
            target(route, path + ".backends[" + b + "]", rule.backends().get(b), problems));
      }
    }
    List<ResolvedRoute.Target> mirrors = new ArrayList<>();
    if (rule.mirrors() != null) {
      for (int m = 0; m < rule.mirrors().size(); m++) {
        mirrors.add(target(route, path + ".mirrors[" + m + "]", rule.mirrors().get(m), problems));
      }
    }
    Backend backend = rule.backend();
    if (backend == null) {
      return new ResolvedRoute.Rule(offload, List.of(), null, null, weighted, mirrors);
    }
    ResolvedRoute.Target one = target(route, path + ".backend", backend, problems);
    return new ResolvedRoute.Rule(
        offload, one.endpoints(), one.cluster(), one.caPem(), weighted, mirrors);
  }

  /** A backend's endpoints (or cluster) and CA. */
  private ResolvedRoute.Target target(
      String route, String path, BackendTarget backend, List<RenderProblem> problems) {
    if (clusters && backend.service() != null) {
      ServicePortEndpoints port =
          servicePort(PROXY_ROUTE, route, path, backend.service(), problems);
      String caPem = backendCa(route, path, backend.tls(), problems);
      return new ResolvedRoute.Target(List.of(), port == null ? null : port.cluster(), caPem);
    }
    List<String> endpoints =
        endpoints(PROXY_ROUTE, route, path, backend.service(), backend.endpoints(), problems);
    String caPem = backendCa(route, path, backend.tls(), problems);
    return new ResolvedRoute.Target(endpoints, null, caPem);
  }

  /**
   * The Service port a rule's or agent's cluster stands for, or null (ServiceNotFound) when there
   * is no such Service port. Whether it has ready endpoints is not asked: they come and go apart
   * from the config.
   */
  private @Nullable ServicePortEndpoints servicePort(
      RenderProblem.Kind kind,
      String name,
      String path,
      ServiceReference service,
      List<RenderProblem> problems) {
    ServiceKey key = new ServiceKey(service.name(), service.port());
    ServicePortEndpoints port = input.endpoints().get(key);
    if (port == null) {
      problems.add(serviceNotFound(kind, name, path, key));
    }
    return port;
  }

  private RenderProblem serviceNotFound(
      RenderProblem.Kind kind, String name, String path, ServiceKey key) {
    return RenderProblem.unresolved(
        kind,
        name,
        Reasons.SERVICE_NOT_FOUND,
        path + ".service",
        key.toString(),
        "a Service in namespace " + input.namespace() + " with that port");
  }

  /**
   * The step's agent and where it runs (its cluster, or its endpoints), or null when the agent is
   * missing or unreachable.
   */
  private ResolvedRoute.@Nullable Step step(
      String route, String path, OffloadStep step, List<RenderProblem> problems) {
    OffloadAgent agent = input.agents().get(step.agent());
    if (agent == null) {
      problems.add(
          RenderProblem.unresolved(
              PROXY_ROUTE,
              route,
              Reasons.AGENT_NOT_FOUND,
              path + ".agent",
              step.agent(),
              "an OffloadAgent in namespace " + input.namespace()));
      return null;
    }
    List<String> known =
        agent.getSpec().messages() == null
            ? List.of()
            : agent.getSpec().messages().stream().map(Message::name).toList();
    List<String> messages = step.messages() == null ? List.of() : step.messages();
    for (int m = 0; m < messages.size(); m++) {
      if (!known.contains(messages.get(m))) {
        problems.add(
            RenderProblem.unresolved(
                PROXY_ROUTE,
                route,
                Reasons.MESSAGE_NOT_FOUND,
                path + ".messages[" + m + "]",
                messages.get(m),
                "a message of OffloadAgent " + step.agent() + ": " + known));
      }
    }
    ResolvedRoute.Step resolved = target(agent, messages, problems);
    if (resolved == null) {
      problems.add(
          RenderProblem.unresolved(
              PROXY_ROUTE,
              route,
              Reasons.NO_ENDPOINTS,
              path + ".agent",
              step.agent(),
              "an OffloadAgent with reachable endpoints (see its status)"));
    }
    return resolved;
  }

  /**
   * Where the step's agent runs: with clusters its Service port's cluster (whether it has ready
   * endpoints is not asked), else its endpoints; null (the agent's own problem recorded) when they
   * do not resolve.
   */
  private ResolvedRoute.@Nullable Step target(
      OffloadAgent agent, List<String> messages, List<RenderProblem> problems) {
    ServiceReference service = agent.getSpec().service();
    if (clusters && service != null) {
      ServicePortEndpoints port =
          servicePort(OFFLOAD_AGENT, agent.getMetadata().getName(), "spec", service, problems);
      return port == null
          ? null
          : new ResolvedRoute.Step(agent, List.of(), port.cluster(), messages);
    }
    List<String> endpoints = agentEndpoints(agent, problems);
    return endpoints == null ? null : new ResolvedRoute.Step(agent, endpoints, null, messages);
  }

  /** The agent's endpoints, or null (the agent's own problem recorded) when they do not resolve. */
  private @Nullable List<String> agentEndpoints(OffloadAgent agent, List<RenderProblem> problems) {
    var spec = agent.getSpec();
    return endpoints(
        OFFLOAD_AGENT,
        agent.getMetadata().getName(),
        "spec",
        spec.service(),
        spec.endpoints(),
        problems);
  }

  /** Static endpoints as given, or the Service port's ready endpoints; null (a problem) if none. */
  private @Nullable List<String> endpoints(
      RenderProblem.Kind kind,
      String name,
      String path,
      @Nullable ServiceReference service,
      @Nullable List<String> endpoints,
      List<RenderProblem> problems) {
    if (service == null) {
      return endpoints == null ? List.of() : List.copyOf(endpoints);
    }
    ServiceKey key = new ServiceKey(service.name(), service.port());
    ServicePortEndpoints port = input.endpoints().get(key);
    if (port == null) {
      problems.add(serviceNotFound(kind, name, path, key));
      return null;
    }
    List<String> ready = port.readyAddresses();
    if (ready.isEmpty()) {
      problems.add(
          RenderProblem.unresolved(
              kind,
              name,
              Reasons.NO_ENDPOINTS,
              path + ".service",
              key.toString(),
              "ready endpoints behind the Service port"));
      return null;
    }
    return ready;
  }

  /** The backend's CA from the Secret it names (null when it names none, or a problem). */
  private @Nullable String backendCa(
      String route, String path, @Nullable BackendTls tls, List<RenderProblem> problems) {
    if (tls == null || tls.caSecretName() == null) {
      return null;
    }
    Map<String, String> data = input.secrets().get(tls.caSecretName());
    String caPem = data == null ? null : data.get("ca.crt");
    if (caPem == null) {
      problems.add(
          RenderProblem.unresolved(
              PROXY_ROUTE,
              route,
              Reasons.SECRET_NOT_FOUND,
              path + ".tls.caSecretName",
              tls.caSecretName(),
              "a Secret in namespace " + input.namespace() + " with ca.crt"));
    }
    return caPem;
  }
}
