package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * One action on agent variables; exactly one field is set.
 *
 * @param deny answer the request when a condition holds
 * @param setRequestHeader set a header on the upstream request from a variable
 * @param setResponseHeader set a header on the downstream response from a variable
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VariableAction(
    @Nullable Deny deny,
    @Nullable HeaderFromVariable setRequestHeader,
    @Nullable HeaderFromVariable setResponseHeader) {

  /**
   * Deny with {@code status} when {@code when} holds.
   *
   * @param when the condition
   * @param status 400..599 (default 403)
   * @param body plain-text body; default: the reason phrase
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Deny(VariableTest when, Integer status, @Nullable String body) {
    public Deny {
      status = status == null ? 403 : status;
    }
  }

  /**
   * Header value taken from a variable.
   *
   * @param name header name
   * @param fromVariable {@code <scope>.<prefix>.<name>}
   * @param removeWhenUnset remove the header when the variable is unset (default false)
   */
  public record HeaderFromVariable(String name, String fromVariable, Boolean removeWhenUnset) {
    public HeaderFromVariable {
      removeWhenUnset = removeWhenUnset == null ? Boolean.FALSE : removeWhenUnset;
    }
  }

  /**
   * A condition on a variable.
   *
   * @param variable {@code <scope>.<prefix>.<name>}
   * @param operator how to compare (default Equals)
   * @param value compared value; absent for Exists/NotExists
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record VariableTest(String variable, Operator operator, @Nullable String value) {
    public VariableTest {
      operator = operator == null ? Operator.Equals : operator;
    }
  }

  /** Comparison operators. */
  public enum Operator {
    Equals,
    NotEquals,
    GreaterThan,
    LessThan,
    Exists,
    NotExists
  }
}
