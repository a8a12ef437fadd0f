package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * As Gateway API's HTTPHeaderFilter (RequestHeaderModifier, ResponseHeaderModifier): set replaces
 * every value of a name, add appends one, remove drops every value; names case-insensitive.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "((has(self.set) ? self.set.map(h, h.name) : []) + (has(self.add) ? self.add.map("
            + "h, h.name) : []) + (has(self.remove) ? self.remove : [])).all(n, ((has(self.set)"
            + " ? self.set.map(h, h.name) : []) + (has(self.add) ? self.add.map(h, h.name) : []"
            + ") + (has(self.remove) ? self.remove : [])).filter(m, m == n).size() == 1)",
    message = "a header name may appear once across set, add and remove")
public record HeaderModifier(
    @JsonPropertyDescription("Headers whose every value is replaced by this one.") @Size(max = 16)
        @Nullable List<HeaderValue> set,
    @JsonPropertyDescription("Headers appended (a value added to those already there).")
        @Size(max = 16)
        @Nullable List<HeaderValue> add,
    @JsonPropertyDescription("Header names whose every value is removed.") @Size(max = 16)
        @Nullable List<@Size(min = 1, max = 256) @Pattern(Patterns.HEADER_NAME) String> remove) {}
