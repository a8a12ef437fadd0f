package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/** A condition on the request path (without the query string). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type == 'RegularExpression' || self.value.startsWith('/')",
    message = "path.value must start with '/' for Exact and Prefix matches")
@ValidationRule(
    value = "self.type != 'Prefix' || self.value == '/' || !self.value.endsWith('/')",
    message = "path.value of a Prefix match must not end with '/' (prefixes match whole segments)")
public record PathMatch(
    @JsonPropertyDescription(
            "Exact: the whole path. Prefix: whole path segments (/api matches /api and /api/x,"
                + " not /apis). RegularExpression: a Java regular expression matching the whole"
                + " path.")
        @Default("Prefix")
        @Nullable PathMatchType type,
    @JsonPropertyDescription("The path, prefix or expression.") @Required @Size(min = 1, max = 1024)
        String value) {

  /** How {@link PathMatch#value()} is compared. */
  public enum PathMatchType {
    Exact,
    Prefix,
    RegularExpression
  }
}
