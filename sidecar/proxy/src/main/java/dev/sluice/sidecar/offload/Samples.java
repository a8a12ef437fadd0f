package dev.sluice.sidecar.offload;

import dev.sluice.sidecar.config.SampleExpression;
import dev.sluice.sidecar.routing.RequestTarget;
import dev.sluice.spop.SpopValue;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Fetches a sample as HAProxy would send it: integers as INT64, addresses as IPV4/IPV6, strings as
 * STRING, the body as BINARY, and NULL for anything absent (a missing header, no query string, a
 * response sample in the request phase).
 */
final class Samples {
  static SpopValue fetch(SampleExpression sample, SampleSource source, RequestTarget target) {
    return switch (sample.kind()) {
      case SRC ->
          source.client() == null ? SpopValue.NULL : SpopValue.of(source.client().getAddress());
      case SRC_PORT ->
          source.client() == null ? SpopValue.NULL : SpopValue.of(source.client().getPort());
      case DST ->
          source.local() == null ? SpopValue.NULL : SpopValue.of(source.local().getAddress());
      case DST_PORT ->
          source.local() == null ? SpopValue.NULL : SpopValue.of(source.local().getPort());
      case METHOD -> SpopValue.of(target.method());
      case PATH -> SpopValue.of(target.path());
      case QUERY -> SpopValue.of(target.query());
      case HOST -> {
        String host = source.request().headers().get("host");
        yield SpopValue.of(host);
      }
      case TRACE_ID -> SpopValue.of(source.traceId());
      case REQ_HDR -> header(source.request().headers(), sample.parameter());
      case REQ_BODY -> body(source.body(), sample.bodyLimit());
      case RES_STATUS ->
          source.response() == null
              ? SpopValue.NULL
              : SpopValue.of(source.response().status().code());
      case RES_HDR ->
          source.response() == null
              ? SpopValue.NULL
              : header(source.response().headers(), sample.parameter());
      case STR -> SpopValue.of(sample.parameter());
      case INT -> SpopValue.of(Long.parseLong(sample.parameter()));
      case BOOL -> SpopValue.of(Boolean.parseBoolean(sample.parameter()));
    };
  }

  private static SpopValue header(HttpHeaders headers, String name) {
    return SpopValue.of(headers.get(name));
  }

  private static SpopValue body(byte @Nullable [] body, long limit) {
    if (body == null) {
      return SpopValue.NULL;
    }
    return new SpopValue.Binary(
        body.length <= limit ? body : Arrays.copyOf(body, (int) Math.min(limit, body.length)));
  }

  private Samples() {}
}
