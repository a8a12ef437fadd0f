package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.filters.CorsPolicy;
import dev.sluice.sidecar.http2.HeadFields;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import org.jspecify.annotations.Nullable;

/** A rule's CORS filter asked about one request head, its fields read in place. */
final class CorsRequests {
  private CorsRequests() {}

  /** What {@code policy} does with {@code head}; null when the rule has no CORS filter. */
  static CorsPolicy.@Nullable CorsAnswer answer(HttpRequest head, @Nullable CorsPolicy policy) {
    if (policy == null) {
      return null;
    }
    return policy.answer(
        head.method().name(),
        HeadFields.get(head, HttpHeaderNames.ORIGIN),
        HeadFields.get(head, HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD),
        HeadFields.get(head, HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS));
  }
}
