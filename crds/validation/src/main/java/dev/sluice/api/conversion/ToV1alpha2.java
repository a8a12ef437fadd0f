package dev.sluice.api.conversion;

import dev.sluice.api.v1alpha1.BackendTarget;
import dev.sluice.api.v1alpha1.Mirror;
import dev.sluice.api.v1alpha1.OffloadStep;
import dev.sluice.api.v1alpha1.RouteMatch.HttpMethod;
import dev.sluice.api.v1alpha1.RouteTimeouts;
import dev.sluice.api.v1alpha2.BackendRef;
import dev.sluice.api.v1alpha2.Filter;
import dev.sluice.api.v1alpha2.HeaderMatch;
import dev.sluice.api.v1alpha2.MirrorFilter;
import dev.sluice.api.v1alpha2.PathMatch;
import dev.sluice.api.v1alpha2.ProxyRouteSpec;
import dev.sluice.api.v1alpha2.RouteMatch;
import dev.sluice.api.v1alpha2.Rule;
import dev.sluice.api.v1alpha2.Timeouts;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The canonical v1alpha1 to v1alpha2 spec: a match per listed method, offload steps then actions as
 * filters in their order, the backend as the one backendRef, {@code timeouts.request} as {@code
 * responseHeader}, {@code timeouts.exchange} as Gateway API's {@code request}. Absent stays absent.
 */
final class ToV1alpha2 {
  private ToV1alpha2() {}

  static ProxyRouteSpec spec(dev.sluice.api.v1alpha1.ProxyRouteSpec in) {
    return new ProxyRouteSpec(
        in.selector(),
        in.listener(),
        in.hostnames(),
        in.rules().stream().map(ToV1alpha2::rule).toList(),
        in.rollout(),
        in.accessLog(),
        in.tracing());
  }

  private static Rule rule(dev.sluice.api.v1alpha1.Rule in) {
    return new Rule(
        in.name(),
        in.matches() == null ? null : matches(in.matches()),
        filters(in),
        backendRefs(in),
        timeouts(in.timeouts()),
        in.retry(),
        in.maxRequestBodyBytes(),
        in.zeroCopy(),
        in.upgrades(),
        in.loadBalancer(),
        in.outlierDetection());
  }

  private static List<RouteMatch> matches(List<dev.sluice.api.v1alpha1.RouteMatch> in) {
    List<RouteMatch> out = new ArrayList<>();
    for (dev.sluice.api.v1alpha1.RouteMatch m : in) {
      PathMatch path = m.path() == null ? null : path(m.path());
      List<HeaderMatch> headers =
          m.headers() == null ? null : m.headers().stream().map(ToV1alpha2::header).toList();
      if (m.methods() == null || m.methods().isEmpty()) {
        out.add(new RouteMatch(path, headers, m.queryParams(), null, m.host()));
      } else {
        for (HttpMethod method : m.methods()) {
          out.add(new RouteMatch(path, headers, m.queryParams(), method, m.host()));
        }
      }
    }
    return out;
  }

  private static PathMatch path(dev.sluice.api.v1alpha1.PathMatch in) {
    PathMatch.Type type =
        in.type() == null
            ? null
            : switch (in.type()) {
              case Exact -> PathMatch.Type.Exact;
              case Prefix -> PathMatch.Type.PathPrefix;
              case RegularExpression -> PathMatch.Type.RegularExpression;
            };
    return new PathMatch(type, in.value());
  }

  private static HeaderMatch header(dev.sluice.api.v1alpha1.HeaderMatch in) {
    return new HeaderMatch(in.type(), in.name(), in.value());
  }

  /**
   * Gateway API's filters first, in a fixed order, then Sluice's: rate limit, offload steps, then
   * actions, each in its order.
   */
  private static @Nullable List<Filter> filters(dev.sluice.api.v1alpha1.Rule in) {
    List<Filter> out = new ArrayList<>();
    if (in.requestHeaders() != null) {
      out.add(Filter.requestHeaderModifier(in.requestHeaders()));
    }
    if (in.responseHeaders() != null) {
      out.add(Filter.responseHeaderModifier(in.responseHeaders()));
    }
    if (in.rewrite() != null) {
      out.add(Filter.urlRewrite(in.rewrite()));
    }
    if (in.redirect() != null) {
      out.add(Filter.requestRedirect(in.redirect()));
    }
    if (in.mirrors() != null) {
      for (Mirror mirror : in.mirrors()) {
        out.add(
            Filter.requestMirror(
                new MirrorFilter(
                    backendRef(mirror, null),
                    mirror.percent(),
                    mirror.fraction(),
                    mirror.maxBodyBytes())));
      }
    }
    if (in.cors() != null) {
      out.add(Filter.cors(in.cors()));
    }
    if (in.rateLimit() != null) {
      out.add(Filter.localRateLimit(in.rateLimit()));
    }
    if (out.isEmpty() && in.offload() == null && in.actions() == null) {
      return null;
    }
    for (OffloadStep step : in.offload() == null ? List.<OffloadStep>of() : in.offload()) {
      out.add(Filter.offload(step));
    }
    if (in.actions() != null) {
      in.actions().forEach(a -> out.add(Filter.variableAction(a)));
    }
    return out;
  }

  /** The backend as the one backendRef (weight 1), or the weighted backends in order. */
  private static @Nullable List<BackendRef> backendRefs(dev.sluice.api.v1alpha1.Rule in) {
    if (in.backend() != null) {
      return List.of(backendRef(in.backend(), 1));
    }
    return in.backends() == null
        ? null
        : in.backends().stream().map(b -> backendRef(b, b.weight())).toList();
  }

  private static BackendRef backendRef(BackendTarget in, @Nullable Integer weight) {
    return in.service() != null
        ? new BackendRef(
            null,
            null,
            in.service().name(),
            in.service().port(),
            weight,
            null,
            in.protocol(),
            in.tls())
        : new BackendRef(null, null, null, null, weight, in.endpoints(), in.protocol(), in.tls());
  }

  private static @Nullable Timeouts timeouts(@Nullable RouteTimeouts in) {
    return in == null
        ? null
        : new Timeouts(
            in.exchange(),
            in.backendRequest(),
            in.connect(),
            in.request(),
            in.idle(),
            in.tunnelIdle());
  }
}
