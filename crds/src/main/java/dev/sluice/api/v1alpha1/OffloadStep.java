package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Sends messages of an OffloadAgent for the requests of a rule. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OffloadStep(
    @JsonPropertyDescription("Name of an OffloadAgent in the route's namespace.")
        @Required
        @Size(max = 253)
        @Pattern(Patterns.DNS_SUBDOMAIN)
        String agent,
    @JsonPropertyDescription(
            "Names of the agent's messages to send; absent: all of them. Each is sent at its"
                + " event (request or response).")
        @Size(max = 16)
        @Nullable List<@Size(max = 63) String> messages) {}
