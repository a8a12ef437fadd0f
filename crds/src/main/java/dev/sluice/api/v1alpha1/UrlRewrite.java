package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import org.jspecify.annotations.Nullable;

/** As Gateway API's HTTPURLRewriteFilter: the host and path sent to the backend. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UrlRewrite(
    @JsonPropertyDescription("Host (and :authority) sent to the backend instead of the client's.")
        @Size(max = 253)
        @Pattern(Patterns.HOSTNAME)
        @Nullable String hostname,
    @JsonPropertyDescription("Path sent to the backend instead of the client's (query kept).")
        @Nullable PathModifier path) {}
