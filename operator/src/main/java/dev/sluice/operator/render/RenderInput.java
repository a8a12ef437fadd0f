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
 */
public record RenderInput(
    String namespace,
    List<ProxyRoute> routes,
    Map<String, OffloadAgent> agents,
    Map<ServiceKey, ServicePortEndpoints> endpoints,
    Map<String, Map<String, String>> secrets,
    Map<String, Map<String, String>> configMaps) {

  public RenderInput {
    routes = List.copyOf(routes);
    agents = Map.copyOf(agents);
    endpoints = Map.copyOf(endpoints);
    secrets = Map.copyOf(secrets);
    configMaps = Map.copyOf(configMaps);
  }
}
