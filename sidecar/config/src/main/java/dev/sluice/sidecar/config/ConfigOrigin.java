package dev.sluice.sidecar.config;

import java.util.List;

/**
 * Where a config came from (contract 2, optional): information for people reading a sidecar's
 * {@code GET /config} and its log, never behaviour. An older sidecar is sent the config without it.
 *
 * @param proxyRoutes the ProxyRoutes rendered into it, {@code <namespace>/<name>}, in rendering
 *     order (oldest first)
 */
public record ConfigOrigin(List<String> proxyRoutes) {
  public ConfigOrigin {
    proxyRoutes = proxyRoutes == null ? List.of() : List.copyOf(proxyRoutes);
  }
}
