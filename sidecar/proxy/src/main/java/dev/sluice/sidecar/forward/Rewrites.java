package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.config.RequestMatch;
import dev.sluice.sidecar.config.RequestRedirect;
import dev.sluice.sidecar.config.UrlRewrite;
import dev.sluice.sidecar.filters.PathRewrite;
import dev.sluice.sidecar.filters.RedirectLocation;
import dev.sluice.sidecar.http2.HeadFields;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;

/** A rule's rewrite and redirect, for one exchange's request. */
final class Rewrites {
  private Rewrites() {}

  /**
   * The target sent upstream: the request's, or with its path rewritten (the query kept). Only an
   * origin-form target has a path (the downstream turned absolute-form into it); CONNECT's
   * authority and {@code *} stay.
   */
  static String uri(HttpRequest head, @Nullable UrlRewrite rewrite, RequestMatch accepted) {
    String uri = head.uri();
    if (rewrite == null || rewrite.path() == null || uri.isEmpty() || uri.charAt(0) != '/') {
      return uri;
    }
    int question = uri.indexOf('?');
    String path = question < 0 ? uri : uri.substring(0, question);
    String query = question < 0 ? null : uri.substring(question + 1);
    return PathRewrite.withQuery(PathRewrite.apply(path, rewrite.path(), accepted.path()), query);
  }

  /** The rule's redirect of the exchange's request, as its local answer. */
  static Ending redirect(Exchange exchange, RequestRedirect redirect) {
    String uri = exchange.head.uri();
    int question = uri.indexOf('?');
    String location =
        RedirectLocation.of(
            redirect,
            exchange.downstream.scheme(),
            HeadFields.get(exchange.head, HttpHeaderNames.HOST),
            question < 0 ? uri : uri.substring(0, question),
            question < 0 ? null : uri.substring(question + 1),
            exchange.accepted.path());
    return Ending.redirected(HttpResponseStatus.valueOf(redirect.statusCode()), location);
  }
}
