package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A Service in the referring object's namespace; its ready endpoints (from EndpointSlices) become
 * the sidecar's targets, and changes re-render the config.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceReference(
    @JsonPropertyDescription("Service name.") @Required @Size(max = 63) @Pattern(Patterns.DNS_LABEL)
        String name,
    @JsonPropertyDescription("Service port number (1-65535).") @Required @Min(1) @Max(65535)
        Integer port) {}
