package dev.sluice.api.conversion;

import dev.sluice.api.v1alpha1.Backend;
import dev.sluice.api.v1alpha1.OffloadStep;
import dev.sluice.api.v1alpha1.RouteMatch.HttpMethod;
import dev.sluice.api.v1alpha1.RouteTimeouts;
import dev.sluice.api.v1alpha2.BackendRef;
import dev.sluice.api.v1alpha2.Filter;
import dev.sluice.api.v1alpha2.HeaderMatch;
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
 * responseHeader}. Absent stays absent.
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
        List.of(backendRef(in.backend())),
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
        out.add(new RouteMatch(path, headers, null, m.host()));
      } else {
        for (HttpMethod method : m.methods()) {
          out.add(new RouteMatch(path, headers, method, m.host()));
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

  private static @Nullable List<Filter> filters(dev.sluice.api.v1alpha1.Rule in) {
    if (in.offload() == null && in.actions() == null) {
      return null;
    }
    List<Filter> out = new ArrayList<>();
    for (OffloadStep step : in.offload() == null ? List.<OffloadStep>of() : in.offload()) {
      out.add(Filter.offload(step));
    }
    if (in.actions() != null) {
      in.actions().forEach(a -> out.add(Filter.variableAction(a)));
    }
    return out;
  }

  private static BackendRef backendRef(Backend in) {
    return in.service() != null
        ? new BackendRef(
            null,
            null,
            in.service().name(),
            in.service().port(),
            null,
            null,
            in.protocol(),
            in.tls())
        : new BackendRef(null, null, null, null, null, in.endpoints(), in.protocol(), in.tls());
  }

  private static @Nullable Timeouts timeouts(@Nullable RouteTimeouts in) {
    return in == null
        ? null
        : new Timeouts(null, null, in.connect(), in.request(), in.idle(), in.tunnelIdle());
  }
}
