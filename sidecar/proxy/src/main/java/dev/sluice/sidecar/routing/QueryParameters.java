package dev.sluice.sidecar.routing;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads one parameter of a query string as Gateway API's query parameter matches compare it: the
 * first occurrence of the name, names and values percent-decoded ({@code +} is a space), as Envoy
 * does and as applications read them. A component that cannot be decoded (a stray {@code %}) is
 * compared as written.
 */
final class QueryParameters {
  private QueryParameters() {}

  /**
   * The decoded value of the first parameter named {@code name} in {@code query} (without {@code
   * ?}); empty for a parameter without {@code =}; null when there is none.
   */
  static @Nullable String first(@Nullable String query, String name) {
    if (query == null) {
      return null;
    }
    int at = 0;
    int length = query.length();
    while (at <= length) {
      int end = query.indexOf('&', at);
      end = end < 0 ? length : end;
      if (end > at) {
        int equals = query.indexOf('=', at);
        int nameEnd = equals < 0 || equals > end ? end : equals;
        if (decoded(query.substring(at, nameEnd)).equals(name)) {
          return nameEnd == end ? "" : decoded(query.substring(nameEnd + 1, end));
        }
      }
      at = end + 1;
    }
    return null;
  }

  private static String decoded(String component) {
    if (component.indexOf('%') < 0 && component.indexOf('+') < 0) {
      return component;
    }
    try {
      return QueryStringDecoder.decodeComponent(component, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return component;
    }
  }
}
