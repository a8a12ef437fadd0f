package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** As Gateway API's HTTPHeader: a header field's name and value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HeaderValue(
    @JsonPropertyDescription("Header name, case-insensitive.")
        @Required
        @Size(min = 1, max = 256)
        @Pattern(Patterns.HEADER_NAME)
        String name,
    @JsonPropertyDescription("Header value.") @Required @Size(min = 1, max = 4096) String value) {}
