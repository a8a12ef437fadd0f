package dev.sluice.operator.render;

import static dev.sluice.operator.render.RouteMapping.duration;

import dev.sluice.api.v1alpha1.Backend;
import dev.sluice.api.v1alpha1.BackendTarget;
import dev.sluice.api.v1alpha1.BackendTls;
import dev.sluice.api.v1alpha1.Mirror;
import dev.sluice.api.v1alpha1.MirrorFraction;
import dev.sluice.api.v1alpha1.OutlierDetection;
import dev.sluice.api.v1alpha1.Rule;
import dev.sluice.api.v1alpha1.WeightedBackend;
import dev.sluice.sidecar.config.LoadBalancer;
import dev.sluice.sidecar.config.RequestMirror;
import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.config.UpstreamTls;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a rule sends its requests, mapped to the sidecar contract: its single backend ({@code
 * upstream}), its weighted {@code backends} and its {@code mirrors}, each an {@link Upstream} with
 * the resolved endpoints or cluster, the backend's TLS and protocol, and the rule's load balancer
 * and outlier detection. Pure, like {@link RouteMapping} that calls it.
 */
final class BackendMapping {
  private BackendMapping() {}

  /** The rule's single backend; null for a redirect or weighted backends. */
  static @Nullable Upstream upstream(Rule rule, ResolvedRoute.Rule resolved) {
    Backend backend = rule.backend();
    if (backend == null) {
      return null; // a redirect, or weighted backends
    }
    return upstream(
        rule,
        backend,
        new ResolvedRoute.Target(resolved.endpoints(), resolved.cluster(), resolved.caPem()));
  }

  /** The rule's weighted backends, each with its upstream; empty without them. */
  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  static List<dev.sluice.sidecar.config.Backend> backends(
      Rule rule, ResolvedRoute.Rule resolved, List<dev.sluice.sidecar.config.Backend> unavailable) {
    if (rule.backends() == null) {
      return unavailable;
    }
    List<dev.sluice.sidecar.config.Backend> out = new ArrayList<>();
    for (int b = 0; b < rule.backends().size(); b++) {
      WeightedBackend backend = rule.backends().get(b);
      out.add(
          new dev.sluice.sidecar.config.Backend(
              backend.weight(), upstream(rule, backend, resolved.weighted().get(b)), null));
    }
    out.addAll(unavailable);
    return out;
  }

  /** The rule's mirrors, each with its upstream; empty without them. */
  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  static List<RequestMirror> mirrors(Rule rule, ResolvedRoute.Rule resolved) {
    if (rule.mirrors() == null) {
      return List.of();
    }
    List<RequestMirror> out = new ArrayList<>();
    for (int m = 0; m < rule.mirrors().size(); m++) {
      Mirror mirror = rule.mirrors().get(m);
      MirrorFraction f = mirror.fraction();
      out.add(
          new RequestMirror(
              upstream(rule, mirror, resolved.mirrors().get(m)),
              mirror.percent(),
              f == null ? null : new RequestMirror.Fraction(f.numerator(), f.denominator()),
              mirror.maxBodyBytes()));
    }
    return out;
  }

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static Upstream upstream(Rule rule, BackendTarget backend, ResolvedRoute.Target target) {
    BackendTls t = backend.tls();
    UpstreamTls tls =
        t == null ? null : new UpstreamTls(t.serverName(), target.caPem(), t.insecureSkipVerify());
    Upstream.Protocol protocol =
        backend.protocol() == null ? null : Upstream.Protocol.valueOf(backend.protocol().name());
    // Absent stays absent: a rule that does not say renders (and hashes) as before.
    Rule.LoadBalancing balancing = rule.loadBalancer();
    LoadBalancer loadBalancer =
        balancing == null
            ? null
            : switch (balancing) {
              case LEAST_REQUEST -> LoadBalancer.LEAST_REQUEST;
              case ROUND_ROBIN -> LoadBalancer.ROUND_ROBIN;
            };
    return new Upstream(
        protocol,
        target.endpoints(),
        target.cluster(),
        tls,
        null,
        loadBalancer,
        outlierDetection(rule.outlierDetection()));
  }

  /**
   * Outlier detection; absent stays absent (the sidecar runs its defaults, the hash is as before).
   */
  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  private static dev.sluice.sidecar.config.@Nullable OutlierDetection outlierDetection(
      @Nullable OutlierDetection o) {
    if (o == null) {
      return null;
    }
    return new dev.sluice.sidecar.config.OutlierDetection(
        o.consecutiveFailures(),
        duration(o.baseEjectionTime()),
        duration(o.maxEjectionTime()),
        o.maxEjectionPercent());
  }
}
