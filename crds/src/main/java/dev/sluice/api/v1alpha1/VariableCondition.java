package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/** A condition on an agent variable. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "self.operator == 'Exists' || self.operator == 'NotExists' ? !has(self.value)"
            + " : has(self.value)",
    message =
        "when.value is required for Equals, NotEquals, GreaterThan and LessThan, and not"
            + " allowed for Exists and NotExists")
@ValidationRule(
    value =
        "!has(self.value) || !(self.operator == 'GreaterThan' || self.operator == 'LessThan')"
            + " || self.value.matches('^-?[0-9]{1,18}$')",
    message = "when.value must be an integer for GreaterThan and LessThan")
public record VariableCondition(
    @JsonPropertyDescription(
            "Variable as <scope>.<prefix>.<name>: scope sess, txn, req or res; prefix the agent's"
                + " variable prefix; name as the agent sets it (e.g. txn.iprep.blocked).")
        @Required
        @Size(max = 63)
        @Pattern(Patterns.VARIABLE)
        String variable,
    @JsonPropertyDescription(
            "Equals/NotEquals compare the value as text (booleans read as true/false, integers"
                + " in decimal); GreaterThan/LessThan compare integers (a non-integer value does"
                + " not match); Exists/NotExists test whether the agent set it.")
        @Default("Equals")
        @Nullable Operator operator,
    @JsonPropertyDescription("Value to compare with.") @Size(max = 256) @Nullable String value) {

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
