package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Cross-origin resource sharing for a rule's requests (Gateway API's {@code CORS} filter, GEP-1767,
 * contract 4). A preflight ({@code OPTIONS} with {@code Origin} and {@code
 * Access-Control-Request-Method}) is answered by the sidecar, never forwarded; any other request
 * goes upstream and its response gets the {@code Access-Control-*} fields its origin earns, with
 * {@code Vary: Origin}. An origin not allowed gets no CORS field at all.
 *
 * @param allowOrigins origins as {@code scheme://host[:port]}, the host's leftmost label may be
 *     {@code *} (one or more labels); or {@code *} alone: any origin. At most 64.
 * @param allowCredentials whether {@code Access-Control-Allow-Credentials: true} is sent; then no
 *     field says {@code *}: the origin, method and headers asked for are echoed instead
 * @param allowMethods methods a preflight may ask for, or {@code *} alone: any
 * @param allowHeaders request header names a preflight may ask for, or {@code *} alone: any
 * @param exposeHeaders response header names a script may read, or {@code *} alone: any
 * @param maxAge seconds a browser may keep a preflight's answer (default 5)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Cors(
    List<String> allowOrigins,
    Boolean allowCredentials,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    Integer maxAge) {
  /** Gateway API's default {@code maxAge}, in seconds. */
  public static final int DEFAULT_MAX_AGE = 5;

  /** At most this many entries per list, as Gateway API allows. */
  public static final int MAX_PER_LIST = 64;

  /** The wildcard, alone in a list. */
  public static final String ANY = "*";

  public Cors {
    allowOrigins = allowOrigins == null ? List.of() : List.copyOf(allowOrigins);
    allowCredentials = allowCredentials == null ? Boolean.FALSE : allowCredentials;
    allowMethods = allowMethods == null ? List.of() : List.copyOf(allowMethods);
    allowHeaders = allowHeaders == null ? List.of() : List.copyOf(allowHeaders);
    exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
    maxAge = maxAge == null ? DEFAULT_MAX_AGE : maxAge;
  }
}
