package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import org.jspecify.annotations.Nullable;

/**
 * As Gateway API's HTTPQueryParamMatch: the first occurrence of a query parameter, name compared
 * exactly, both percent-decoded.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueryParamMatch(
    @JsonPropertyDescription(
            "Exact: the value equals 'value'. RegularExpression: the value matches 'value' as a"
                + " whole (Java syntax).")
        @Default("Exact")
        @Nullable Type type,
    @JsonPropertyDescription("Parameter name, compared exactly (case-sensitive).")
        @Required
        @Size(min = 1, max = 256)
        String name,
    @JsonPropertyDescription("Value or expression to compare with.")
        @Required
        @Size(min = 1, max = 1024)
        String value) {

  /** How the value is compared. */
  public enum Type {
    Exact,
    RegularExpression
  }
}
