package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * As Gateway API's HTTPCORSFilter (GEP-1767): the sidecar answers preflights itself and adds the
 * allowed origin's Access-Control-* fields to responses.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "[has(self.allowOrigins) ? self.allowOrigins : [], has(self.allowMethods) ?"
            + " self.allowMethods : [], has(self.allowHeaders) ? self.allowHeaders : [],"
            + " has(self.exposeHeaders) ? self.exposeHeaders : []].all(l, !l.exists(v, v == '*')"
            + " || size(l) == 1)",
    message = "cors: * stands for every value and must be alone in its list")
public record Cors(
    @JsonPropertyDescription(
            "Origins allowed, as scheme://host[:port]; the host's leftmost label may be * (one or"
                + " more labels), or * alone allows any origin. An origin not listed gets no CORS"
                + " field. At most 64.")
        @Size(max = 64)
        @Nullable List<@Size(min = 1, max = 253) @Pattern(Patterns.CORS_ORIGIN) String>
            allowOrigins,
    @JsonPropertyDescription(
            "Whether Access-Control-Allow-Credentials: true is sent; then no field says *: the"
                + " origin, method and headers asked for are echoed instead.")
        @Nullable Boolean allowCredentials,
    @JsonPropertyDescription(
            "Methods a preflight may ask for (Access-Control-Allow-Methods), or * alone.")
        @Size(max = 9)
        @Nullable List<@Pattern(Patterns.CORS_METHOD) String> allowMethods,
    @JsonPropertyDescription(
            "Request header names a preflight may ask for (Access-Control-Allow-Headers), or *"
                + " alone. At most 64.")
        @Size(max = 64)
        @Nullable List<@Size(min = 1, max = 256) @Pattern(Patterns.HEADER_NAME_OR_ANY) String>
            allowHeaders,
    @JsonPropertyDescription(
            "Response header names a page's script may read (Access-Control-Expose-Headers), or *"
                + " alone (left out with allowCredentials). At most 64.")
        @Size(max = 64)
        @Nullable List<@Size(min = 1, max = 256) @Pattern(Patterns.HEADER_NAME_OR_ANY) String>
            exposeHeaders,
    @JsonPropertyDescription(
            "Seconds a browser may keep a preflight's answer (Access-Control-Max-Age).")
        @Default("5")
        @Min(1)
        @Nullable Integer maxAge) {}
