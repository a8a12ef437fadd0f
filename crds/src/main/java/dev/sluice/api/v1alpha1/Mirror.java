package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.sluice.api.v1alpha1.Backend.BackendProtocol;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * As Gateway API's RequestMirror: a fire-and-forget copy of the rule's requests to another backend,
 * whose answers are discarded and whose failures never touch the request itself.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.service) != has(self.endpoints)",
    message = "a mirror needs exactly one of service and endpoints")
@ValidationRule(
    value = "!has(self.tls) || self.protocol == 'h2'",
    message = "mirrors[].tls is only allowed with protocol h2")
@ValidationRule(
    value = "!(has(self.percent) && has(self.fraction))",
    message = "Only one of percent or fraction may be specified in mirrors[]")
public record Mirror(
    @JsonPropertyDescription("A Service whose ready endpoints receive the copies.")
        @Nullable ServiceReference service,
    @JsonPropertyDescription("Static endpoints as host:port (IPv6 in brackets).")
        @Size(min = 1, max = 64)
        @Nullable List<@Pattern(Patterns.HOST_PORT) String> endpoints,
    @JsonPropertyDescription("How the sidecar speaks to the mirror: http1, h2c or h2.")
        @Default("http1")
        @Nullable BackendProtocol protocol,
    @JsonPropertyDescription("TLS settings for protocol h2.") @Nullable BackendTls tls,
    @JsonPropertyDescription("Share of requests copied, 0 to 100; absent (and no fraction): all.")
        @Min(0)
        @Max(100)
        @Nullable Integer percent,
    @JsonPropertyDescription("Share of requests copied as a fraction.")
        @Nullable MirrorFraction fraction,
    @JsonPropertyDescription(
            "Largest request body copied, in bytes (default 65536, at most 16 MiB); a request with"
                + " a larger body is not copied (a copy is never truncated).")
        @Default("65536")
        @Min(0)
        @Max(16777216)
        @Nullable Long maxBodyBytes)
    implements BackendTarget {}
