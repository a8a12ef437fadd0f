package dev.sluice.api.v1alpha2;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/** As HTTPRoute's HTTPPathMatch: a condition on the request path (without the query string). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type == 'RegularExpression' || self.value.startsWith('/')",
    message = "path.value must start with '/' for Exact and PathPrefix matches")
@ValidationRule(
    value = "self.type != 'PathPrefix' || self.value == '/' || !self.value.endsWith('/')",
    message =
        "path.value of a PathPrefix match must not end with '/' (prefixes match whole segments)")
public record PathMatch(
    @JsonPropertyDescription(
            "Exact: the whole path. PathPrefix: whole path segments (/api matches /api and /api/x,"
                + " not /apis). RegularExpression: a Java regular expression matching the whole"
                + " path.")
        @Default("PathPrefix")
        @Nullable Type type,
    @JsonPropertyDescription("The path, prefix or expression.")
        @Default("/")
        @Size(min = 1, max = 1024)
        @Nullable String value) {

  /** How {@link PathMatch#value()} is compared; Gateway API's names. */
  public enum Type {
    Exact,
    PathPrefix,
    RegularExpression
  }
}
