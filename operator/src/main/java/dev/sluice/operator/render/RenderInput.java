package dev.sluice.operator.render;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import java.util.List;
import java.util.Map;

/**
 * Everything one pod's config is rendered from, already fetched (the renderer makes no API calls).
 *
 * @param namespace the pod's namespace (ProxyRoutes and OffloadAgents are namespaced)
 * @param routes the ProxyRoutes whose selector selects the pod, any order
 * @param agents the namespace's OffloadAgents by name
 * @param endpoints what each Service port resolves to (its cluster and endpoints), from
 *     EndpointSlices
 * @param secrets Secret data by Secret name (decoded), for listener TLS, backend and client CAs
 * @param configMaps ConfigMap data by ConfigMap name, for client CAs
 * @param attached the rules HTTPRoutes attach, by ProxyRoute name, in precedence order
 */
public record RenderInput(
    String namespace,
    List<ProxyRoute> routes,
    Map<String, OffloadAgent> agents,
    Map<ServiceKey, ServicePortEndpoints> endpoints,
    Map<String, Map<String, String>> secrets,
    Map<String, Map<String, String>> configMaps,
    Map<String, List<AttachedRule>> attached) {

  /** Without attached HTTPRoutes. */
  public RenderInput(
      String namespace,
      List<ProxyRoute> routes,
      Map<String, OffloadAgent> agents,
      Map<ServiceKey, ServicePortEndpoints> endpoints,
      Map<String, Map<String, String>> secrets,
      Map<String, Map<String, String>> configMaps) {
    this(namespace, routes, agents, endpoints, secrets, configMaps, Map.of());
  }

  public RenderInput {
    routes = List.copyOf(routes);
    agents = Map.copyOf(agents);
    endpoints = Map.copyOf(endpoints);
    secrets = Map.copyOf(secrets);
    configMaps = Map.copyOf(configMaps);
    attached = Map.copyOf(attached);
  }

  /** The rules HTTPRoutes attach to the ProxyRoute {@code route}, in precedence order. */
  public List<AttachedRule> attachedTo(String route) {
    return attached.getOrDefault(route, List.of());
  }
}
