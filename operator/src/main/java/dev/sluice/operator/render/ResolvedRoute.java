package dev.sluice.operator.render;

import dev.sluice.api.v1alpha1.OffloadAgent;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a ProxyRoute's references resolved to — the parts of its sidecar config its spec does not
 * hold — and the problems of those that did not. Only a route whose every reference resolved is
 * mapped to the contract; the others are left out whole.
 *
 * @param listenerKeys the HTTPS listener's certificate and key (null for HTTP, or unresolved)
 * @param rules per rule of the spec, in its order
 * @param problems every reference that did not resolve, in the order of the spec's fields
 */
record ResolvedRoute(
    @Nullable ListenerKeys listenerKeys, List<Rule> rules, List<RenderProblem> problems) {
  ResolvedRoute {
    rules = List.copyOf(rules);
    problems = List.copyOf(problems);
  }

  /** True when nothing is missing: the route can be rendered. */
  boolean complete() {
    return problems.isEmpty();
  }

  /**
   * The PEM certificate chain and key of a listener's TLS Secret, and the PEM CA certificates of
   * its {@code clientCertificates.caCertificateRefs} (null when it asks for no client
   * certificates).
   */
  record ListenerKeys(String certificatePem, String keyPem, @Nullable String clientCaPem) {}

  /**
   * One rule's references.
   *
   * @param offload its offload steps whose agent resolved, in order
   * @param endpoints its backend's inline endpoints (empty for a cluster; null when unresolved)
   * @param cluster the cluster its Service port renders as (null for inline endpoints)
   * @param caPem the backend's CA from its Secret (null when it names none, or unresolved)
   * @param weighted its weighted backends' references, in order (empty without them)
   * @param mirrors its mirrors' references, in order (empty without them)
   */
  record Rule(
      List<Step> offload,
      @Nullable List<String> endpoints,
      @Nullable String cluster,
      @Nullable String caPem,
      List<Target> weighted,
      List<Target> mirrors) {}

  /**
   * One backend's references.
   *
   * @param endpoints its inline endpoints (empty for a cluster; null when unresolved)
   * @param cluster the cluster its Service port renders as (null for inline endpoints)
   * @param caPem its CA from its Secret (null when it names none, or unresolved)
   */
  record Target(
      @Nullable List<String> endpoints, @Nullable String cluster, @Nullable String caPem) {}

  /**
   * An offload step and the OffloadAgent it names.
   *
   * @param agent the agent
   * @param endpoints the agent's inline endpoints (empty for a cluster)
   * @param cluster the cluster its Service port renders as (null for inline endpoints)
   * @param messages the messages the step sends
   */
  record Step(
      OffloadAgent agent,
      List<String> endpoints,
      @Nullable String cluster,
      List<String> messages) {}
}
