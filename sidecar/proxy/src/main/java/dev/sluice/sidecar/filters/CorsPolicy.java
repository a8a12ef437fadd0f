package dev.sluice.sidecar.filters;

import dev.sluice.sidecar.config.Cors;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A rule's {@link Cors}, compiled with its generation (GEP-1767): for one request, whether it is a
 * preflight the sidecar answers, and the {@code Access-Control-*} fields its response gets. An
 * origin not allowed gets none; every response of the rule gets {@code Vary: Origin}, and the
 * upstream's own {@code Access-Control-*} response fields are dropped, so what a browser reads is
 * the rule's alone.
 */
public final class CorsPolicy {
  static final String ALLOW_ORIGIN = "access-control-allow-origin";
  static final String ALLOW_CREDENTIALS = "access-control-allow-credentials";
  static final String ALLOW_METHODS = "access-control-allow-methods";
  static final String ALLOW_HEADERS = "access-control-allow-headers";
  static final String EXPOSE_HEADERS = "access-control-expose-headers";
  static final String MAX_AGE = "access-control-max-age";

  /** The upstream's fields that would contradict the rule's. */
  private static final List<String> DROPPED =
      List.of(
          ALLOW_ORIGIN, ALLOW_CREDENTIALS, ALLOW_METHODS, ALLOW_HEADERS, EXPOSE_HEADERS, MAX_AGE);

  private final CorsOrigins origins;
  private final boolean credentials;
  private final @Nullable String methods;
  private final @Nullable String headers;
  private final @Nullable String expose;
  private final String maxAge;

  private CorsPolicy(Cors cors) {
    this.origins = new CorsOrigins(cors.allowOrigins());
    this.credentials = cors.allowCredentials();
    this.methods = joined(cors.allowMethods());
    this.headers = joined(cors.allowHeaders());
    // With credentials a browser reads "*" as a name, not a wildcard, and there is nothing to echo.
    String exposed = joined(cors.exposeHeaders());
    this.expose = credentials && Cors.ANY.equals(exposed) ? null : exposed;
    this.maxAge = Integer.toString(cors.maxAge());
  }

  /** {@code cors} compiled; null when the rule has none. */
  public static @Nullable CorsPolicy of(@Nullable Cors cors) {
    return cors == null ? null : new CorsPolicy(cors);
  }

  /**
   * What the rule does with a request: {@code method}, and its {@code Origin}, {@code
   * Access-Control-Request-Method} and {@code Access-Control-Request-Headers} fields (null when
   * absent).
   */
  public CorsAnswer answer(
      String method,
      @Nullable String origin,
      @Nullable String requestMethod,
      @Nullable String requestHeaders) {
    boolean preflight = "OPTIONS".equals(method) && origin != null && requestMethod != null;
    boolean allowed = origins.allows(origin);
    List<String> names = new ArrayList<>(8);
    List<String> values = new ArrayList<>(8);
    if (allowed) {
      add(names, values, ALLOW_ORIGIN, origins.any() && !credentials ? Cors.ANY : origin);
      if (credentials) {
        add(names, values, ALLOW_CREDENTIALS, "true");
      }
      if (preflight) {
        add(names, values, ALLOW_METHODS, echoed(methods, requestMethod));
        add(names, values, ALLOW_HEADERS, echoed(headers, requestHeaders));
        add(names, values, MAX_AGE, maxAge);
      } else {
        add(names, values, EXPOSE_HEADERS, expose);
      }
    }
    add(names, values, "vary", "origin");
    return new CorsAnswer(preflight, allowed, HeaderEdits.fields(DROPPED, names, values));
  }

  /** {@code configured}, or with credentials the asked-for value in place of {@code *}. */
  private @Nullable String echoed(@Nullable String configured, @Nullable String asked) {
    return credentials && Cors.ANY.equals(configured) ? asked : configured;
  }

  private static void add(
      List<String> names, List<String> values, String name, @Nullable String value) {
    if (value != null && !value.isEmpty()) {
      names.add(name);
      values.add(value);
    }
  }

  private static @Nullable String joined(List<String> list) {
    return list.isEmpty() ? null : String.join(", ", list);
  }

  /**
   * What the rule does with one request.
   *
   * @param preflight an {@code OPTIONS} with {@code Origin} and {@code
   *     Access-Control-Request-Method}: the sidecar answers it, nothing goes upstream
   * @param allowed its origin is allowed (the fields carry CORS fields)
   * @param fields the response fields: the upstream's {@code Access-Control-*} dropped, the rule's
   *     written
   */
  public record CorsAnswer(boolean preflight, boolean allowed, HeaderEdits fields) {}
}
