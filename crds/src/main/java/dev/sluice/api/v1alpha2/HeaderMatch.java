package dev.sluice.api.v1alpha2;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.sluice.api.v1alpha1.HeaderMatch.HeaderMatchType;
import dev.sluice.api.v1alpha1.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/** As HTTPRoute's HTTPHeaderMatch, plus the type Present (a Sluice extension). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type == 'Present' ? !has(self.value) : has(self.value)",
    message =
        "headers[].value is required for Exact and RegularExpression and not allowed for Present")
public record HeaderMatch(
    @JsonPropertyDescription(
            "Exact: some value equals 'value'. RegularExpression: some value matches 'value' as a"
                + " whole (Java syntax). Present (Sluice extension): the header exists.")
        @Default("Exact")
        @Nullable HeaderMatchType type,
    @JsonPropertyDescription("Header name, case-insensitive.")
        @Required
        @Size(max = 256)
        @Pattern(Patterns.HEADER_NAME)
        String name,
    @JsonPropertyDescription("Value or expression to compare with.") @Size(max = 4096)
        @Nullable String value) {}
