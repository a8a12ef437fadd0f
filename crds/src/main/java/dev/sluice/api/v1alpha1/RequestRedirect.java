package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import org.jspecify.annotations.Nullable;

/**
 * As Gateway API's HTTPRequestRedirectFilter: the sidecar answers with a redirect; nothing goes to
 * a backend.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestRedirect(
    @JsonPropertyDescription("Scheme of the Location; absent: the request's.")
        @Nullable Scheme scheme,
    @JsonPropertyDescription("Host of the Location; absent: the request's.")
        @Size(max = 253)
        @Pattern(Patterns.HOSTNAME)
        @Nullable String hostname,
    @JsonPropertyDescription("Path of the Location; absent: the request's.")
        @Nullable PathModifier path,
    @JsonPropertyDescription(
            "Port of the Location; absent: the scheme's well-known port when scheme is set, else"
                + " the request's. A scheme's well-known port is left out of the Location.")
        @Min(1)
        @Max(65535)
        @Nullable Integer port,
    @JsonPropertyDescription("301 or 302.") @Default("302") @Min(301) @Max(302)
        @Nullable Integer statusCode) {

  /** The schemes a redirect may name. */
  public enum Scheme {
    @JsonProperty("http")
    HTTP,
    @JsonProperty("https")
    HTTPS
  }
}
