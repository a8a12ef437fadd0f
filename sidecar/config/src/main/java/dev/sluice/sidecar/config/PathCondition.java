package dev.sluice.sidecar.config;

/**
 * A path condition.
 *
 * @param type Exact, Prefix (whole segments) or RegularExpression (whole path)
 * @param value path, prefix or expression
 */
public record PathCondition(Type type, String value) {

  public PathCondition {
    type = type == null ? Type.Prefix : type;
  }

  /** How the path is compared. */
  public enum Type {
    Exact,
    Prefix,
    RegularExpression
  }
}
