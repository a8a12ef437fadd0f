package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import org.jspecify.annotations.Nullable;

/** Deny a request when a variable condition holds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DenyAction(
    @JsonPropertyDescription("The condition.") @Required VariableCondition when,
    @JsonPropertyDescription("Status of the answer, 400-599.") @Default("403") @Min(400) @Max(599)
        @Nullable Integer status,
    @JsonPropertyDescription("Plain-text body of the answer; default: the status' reason phrase.")
        @Size(max = 1024)
        @Nullable String body) {}
