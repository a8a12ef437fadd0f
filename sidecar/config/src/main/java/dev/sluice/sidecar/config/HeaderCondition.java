package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * A header condition.
 *
 * @param name header name, case-insensitive
 * @param type Exact, RegularExpression or Present
 * @param value compared value; absent for Present
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HeaderCondition(String name, Type type, @Nullable String value) {

  public HeaderCondition {
    type = type == null ? Type.Exact : type;
  }

  /** How the header is compared. */
  public enum Type {
    Exact,
    RegularExpression,
    Present
  }
}
