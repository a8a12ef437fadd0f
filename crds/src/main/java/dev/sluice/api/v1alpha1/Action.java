package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/** One action on agent variables; exactly one of its fields is set. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "[has(self.deny), has(self.setRequestHeader), has(self.setResponseHeader)]"
            + ".filter(x, x).size() == 1",
    message = "an action needs exactly one of deny, setRequestHeader and setResponseHeader")
public record Action(
    @JsonPropertyDescription("Answer the request directly when a variable condition holds.")
        @Nullable DenyAction deny,
    @JsonPropertyDescription("Set a header on the request forwarded upstream from a variable.")
        @Nullable SetHeaderAction setRequestHeader,
    @JsonPropertyDescription("Set a header on the response sent downstream from a variable.")
        @Nullable SetHeaderAction setResponseHeader) {}
