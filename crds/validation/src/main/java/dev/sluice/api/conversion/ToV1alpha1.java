package dev.sluice.api.conversion;

import dev.sluice.api.v1alpha1.Action;
import dev.sluice.api.v1alpha1.Backend;
import dev.sluice.api.v1alpha1.Cors;
import dev.sluice.api.v1alpha1.HeaderMatch;
import dev.sluice.api.v1alpha1.HeaderModifier;
import dev.sluice.api.v1alpha1.LocalRateLimit;
import dev.sluice.api.v1alpha1.Mirror;
import dev.sluice.api.v1alpha1.OffloadStep;
import dev.sluice.api.v1alpha1.PathMatch;
import dev.sluice.api.v1alpha1.ProxyRouteSpec;
import dev.sluice.api.v1alpha1.RequestRedirect;
import dev.sluice.api.v1alpha1.RouteMatch;
import dev.sluice.api.v1alpha1.RouteTimeouts;
import dev.sluice.api.v1alpha1.Rule;
import dev.sluice.api.v1alpha1.ServiceReference;
import dev.sluice.api.v1alpha1.UrlRewrite;
import dev.sluice.api.v1alpha1.WeightedBackend;
import dev.sluice.api.v1alpha2.BackendRef;
import dev.sluice.api.v1alpha2.Filter;
import dev.sluice.api.v1alpha2.MirrorFilter;
import dev.sluice.api.v1alpha2.Timeouts;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The canonical v1alpha2 to v1alpha1 spec: each match on its own (a method becomes a one-method
 * list), Offload filters as offload steps and VariableAction filters as actions, each in their
 * order, the one backendRef as the backend, {@code responseHeader} as {@code timeouts.request},
 * Gateway API's {@code request} as {@code timeouts.exchange} ({@code backendRequest} keeps its
 * name).
 */
final class ToV1alpha1 {
  private ToV1alpha1() {}

  static ProxyRouteSpec spec(dev.sluice.api.v1alpha2.ProxyRouteSpec in) {
    return new ProxyRouteSpec(
        in.selector(),
        in.listener(),
        in.hostnames(),
        in.rules().stream().map(ToV1alpha1::rule).toList(),
        in.rollout(),
        in.accessLog(),
        in.tracing());
  }

  static Rule rule(dev.sluice.api.v1alpha2.Rule in) {
    List<OffloadStep> offload = new ArrayList<>();
    List<Action> actions = new ArrayList<>();
    Filters one = new Filters();
    List<Mirror> mirrors = new ArrayList<>();
    for (Filter filter : in.filters() == null ? List.<Filter>of() : in.filters()) {
      switch (filter.type()) {
        case RequestHeaderModifier ->
            one.requestHeaders =
                required(filter.requestHeaderModifier(), "filters[].requestHeaderModifier");
        case ResponseHeaderModifier ->
            one.responseHeaders =
                required(filter.responseHeaderModifier(), "filters[].responseHeaderModifier");
        case URLRewrite -> one.rewrite = required(filter.urlRewrite(), "filters[].urlRewrite");
        case RequestRedirect ->
            one.redirect = required(filter.requestRedirect(), "filters[].requestRedirect");
        case RequestMirror ->
            mirrors.add(mirror(required(filter.requestMirror(), "filters[].requestMirror")));
        case CORS -> one.cors = required(filter.cors(), "filters[].cors");
        case LocalRateLimit ->
            one.rateLimit = required(filter.localRateLimit(), "filters[].localRateLimit");
        case Offload -> offload.add(required(filter.offload(), "filters[].offload"));
        case VariableAction ->
            actions.add(required(filter.variableAction(), "filters[].variableAction"));
      }
    }
    return new Rule(
        in.name(),
        in.matches() == null ? null : in.matches().stream().map(ToV1alpha1::match).toList(),
        in.backendRefs() != null && single(in.backendRefs())
            ? backend(in.backendRefs().get(0))
            : null,
        timeouts(in.timeouts()),
        in.maxRequestBodyBytes(),
        in.zeroCopy(),
        offload.isEmpty() ? null : offload,
        actions.isEmpty() ? null : actions,
        in.upgrades(),
        in.loadBalancer(),
        in.retry(),
        in.outlierDetection(),
        one.requestHeaders,
        one.responseHeaders,
        one.rewrite,
        one.redirect,
        one.rateLimit,
        in.backendRefs() == null || in.backendRefs().isEmpty() || single(in.backendRefs())
            ? null
            : in.backendRefs().stream().map(ToV1alpha1::weighted).toList(),
        mirrors.isEmpty() ? null : mirrors,
        one.cors);
  }

  private static Mirror mirror(MirrorFilter filter) {
    BackendRef ref = filter.backendRef();
    return new Mirror(
        service(ref),
        ref.endpoints(),
        ref.protocol(),
        ref.tls(),
        filter.percent(),
        filter.fraction(),
        filter.maxBodyBytes());
  }

  /** One backendRef of the default weight: v1alpha1's backend (any other list: its backends). */
  private static boolean single(@Nullable List<BackendRef> refs) {
    return refs != null
        && refs.size() == 1
        && (refs.get(0).weight() == null || refs.get(0).weight() == 1);
  }

  private static WeightedBackend weighted(BackendRef ref) {
    return new WeightedBackend(
        ref.weight(), service(ref), ref.endpoints(), ref.protocol(), ref.tls());
  }

  private static @Nullable ServiceReference service(BackendRef ref) {
    return ref.name() == null
        ? null
        : new ServiceReference(ref.name(), required(ref.port(), "backendRefs[].port"));
  }

  /** The filters a rule has at most one of (the CRD refuses a second). */
  private static final class Filters {
    @Nullable HeaderModifier requestHeaders;
    @Nullable HeaderModifier responseHeaders;
    @Nullable UrlRewrite rewrite;
    @Nullable RequestRedirect redirect;
    @Nullable LocalRateLimit rateLimit;
    @Nullable Cors cors;
  }

  private static RouteMatch match(dev.sluice.api.v1alpha2.RouteMatch in) {
    return new RouteMatch(
        in.host(),
        in.path() == null ? null : path(in.path()),
        in.method() == null ? null : List.of(in.method()),
        in.headers() == null ? null : in.headers().stream().map(ToV1alpha1::header).toList(),
        in.queryParams());
  }

  private static PathMatch path(dev.sluice.api.v1alpha2.PathMatch in) {
    PathMatch.PathMatchType type =
        in.type() == null
            ? null
            : switch (in.type()) {
              case Exact -> PathMatch.PathMatchType.Exact;
              case PathPrefix -> PathMatch.PathMatchType.Prefix;
              case RegularExpression -> PathMatch.PathMatchType.RegularExpression;
            };
    return new PathMatch(type, in.value() == null ? "/" : in.value());
  }

  private static HeaderMatch header(dev.sluice.api.v1alpha2.HeaderMatch in) {
    return new HeaderMatch(in.name(), in.type(), in.value());
  }

  private static Backend backend(BackendRef ref) {
    return new Backend(service(ref), ref.endpoints(), ref.protocol(), ref.tls());
  }

  private static @Nullable RouteTimeouts timeouts(@Nullable Timeouts in) {
    if (in == null) {
      return null;
    }
    return new RouteTimeouts(
        in.connect(),
        in.responseHeader(),
        in.idle(),
        in.tunnelIdle(),
        in.request(),
        in.backendRequest());
  }

  private static <T> T required(@Nullable T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(
          "spec.rules[]." + field + ": absent (expected: set, as the CRD requires)");
    }
    return value;
  }
}
