package dev.sluice.api.v1alpha2;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.sluice.api.v1alpha1.MirrorFraction;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/** As Gateway API's HTTPRequestMirrorFilter, plus maxBodyBytes (an extension). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.percent) && has(self.fraction))",
    message = "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter")
public record MirrorFilter(
    @JsonPropertyDescription("Where the copies go; its weight is not used.") @Required
        BackendRef backendRef,
    @JsonPropertyDescription("Share of requests copied, 0 to 100; absent (and no fraction): all.")
        @Min(0)
        @Max(100)
        @Nullable Integer percent,
    @JsonPropertyDescription("Share of requests copied as a fraction.")
        @Nullable MirrorFraction fraction,
    @JsonPropertyDescription(
            "Sluice extension: largest request body copied, in bytes (default 65536, at most 16"
                + " MiB); a request with a larger body is not copied.")
        @Default("65536")
        @Min(0)
        @Max(16777216)
        @Nullable Long maxBodyBytes) {}
