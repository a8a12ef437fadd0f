package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/** As Gateway API's Fraction: numerator of every denominator requests. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.numerator <= self.denominator",
    message = "fraction.numerator must not exceed fraction.denominator")
public record MirrorFraction(
    @JsonPropertyDescription("Requests copied of every denominator.") @Required @Min(0)
        Integer numerator,
    @JsonPropertyDescription("Out of how many requests (default 100).") @Default("100") @Min(1)
        @Nullable Integer denominator) {}
