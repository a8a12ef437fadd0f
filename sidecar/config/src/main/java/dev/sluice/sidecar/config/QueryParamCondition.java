package dev.sluice.sidecar.config;

/**
 * A query parameter condition (Gateway API's {@code HTTPQueryParamMatch}, contract 4).
 *
 * @param name the parameter's name, compared exactly (case-sensitive) with the request's
 *     percent-decoded names
 * @param type Exact (the default) or RegularExpression (Java syntax, the whole value)
 * @param value compared with the first occurrence of the parameter, percent-decoded ({@code %20}
 *     and {@code +} are a space) as Envoy compares it and as the application reads it
 */
public record QueryParamCondition(String name, Type type, String value) {
  /** At most this many conditions per match, as Gateway API allows. */
  public static final int MAX_PER_MATCH = 16;

  public QueryParamCondition {
    type = type == null ? Type.Exact : type;
  }

  /** How the value is compared. */
  public enum Type {
    Exact,
    RegularExpression
  }
}
