package dev.sluice.operator.render;

import dev.sluice.api.v1alpha1.Cors;
import dev.sluice.api.v1alpha1.HeaderModifier;
import dev.sluice.api.v1alpha1.HeaderValue;
import dev.sluice.api.v1alpha1.LocalRateLimit;
import dev.sluice.api.v1alpha1.PathModifier;
import dev.sluice.api.v1alpha1.QueryParamMatch;
import dev.sluice.api.v1alpha1.RequestRedirect;
import dev.sluice.api.v1alpha1.UrlRewrite;
import dev.sluice.sidecar.config.QueryParamCondition;
import dev.sluice.sidecar.config.RateLimit;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A rule's Gateway API filters (and its local rate limit) as the contract says them: the same
 * fields, the path modifier's two value fields as one, absent staying absent.
 */
final class FilterMapping {
  private FilterMapping() {}

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  static QueryParamCondition queryParam(QueryParamMatch q) {
    return new QueryParamCondition(
        q.name(),
        q.type() == null ? null : QueryParamCondition.Type.valueOf(q.type().name()),
        q.value());
  }

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  static dev.sluice.sidecar.config.@Nullable HeaderModifier headers(@Nullable HeaderModifier m) {
    if (m == null) {
      return null;
    }
    return new dev.sluice.sidecar.config.HeaderModifier(
        fields(m.set()), fields(m.add()), m.remove());
  }

  private static @Nullable List<dev.sluice.sidecar.config.HeaderModifier.Field> fields(
      @Nullable List<HeaderValue> values) {
    return values == null
        ? null
        : values.stream()
            .map(v -> new dev.sluice.sidecar.config.HeaderModifier.Field(v.name(), v.value()))
            .toList();
  }

  static dev.sluice.sidecar.config.@Nullable UrlRewrite rewrite(@Nullable UrlRewrite r) {
    return r == null
        ? null
        : new dev.sluice.sidecar.config.UrlRewrite(r.hostname(), path(r.path()));
  }

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  static dev.sluice.sidecar.config.@Nullable RequestRedirect redirect(@Nullable RequestRedirect r) {
    if (r == null) {
      return null;
    }
    return new dev.sluice.sidecar.config.RequestRedirect(
        r.scheme() == null
            ? null
            : switch (r.scheme()) {
              case HTTP -> dev.sluice.sidecar.config.RequestRedirect.Scheme.HTTP;
              case HTTPS -> dev.sluice.sidecar.config.RequestRedirect.Scheme.HTTPS;
            },
        r.hostname(),
        r.port(),
        path(r.path()),
        r.statusCode());
  }

  /** Gateway API's CORS filter as the contract's {@code cors}; its defaults the contract's. */
  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  static dev.sluice.sidecar.config.@Nullable Cors cors(@Nullable Cors c) {
    return c == null
        ? null
        : new dev.sluice.sidecar.config.Cors(
            c.allowOrigins(),
            c.allowCredentials(),
            c.allowMethods(),
            c.allowHeaders(),
            c.exposeHeaders(),
            c.maxAge());
  }

  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  static @Nullable RateLimit rateLimit(@Nullable LocalRateLimit l) {
    if (l == null) {
      return null;
    }
    return new RateLimit(
        l.requests(),
        l.unit() == null ? null : RateLimit.Unit.valueOf(l.unit().name()),
        l.burst(),
        l.key() == null ? null : RateLimit.Key.valueOf(l.key().name()));
  }

  private static dev.sluice.sidecar.config.@Nullable PathModifier path(@Nullable PathModifier p) {
    if (p == null) {
      return null;
    }
    return switch (p.type()) {
      case ReplaceFullPath ->
          new dev.sluice.sidecar.config.PathModifier(
              dev.sluice.sidecar.config.PathModifier.Type.ReplaceFullPath,
              String.valueOf(p.replaceFullPath()));
      case ReplacePrefixMatch ->
          new dev.sluice.sidecar.config.PathModifier(
              dev.sluice.sidecar.config.PathModifier.Type.ReplacePrefixMatch,
              String.valueOf(p.replacePrefixMatch()));
    };
  }
}
