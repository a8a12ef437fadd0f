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

/** One of a rule's weighted backends (Gateway API's backendRefs with weights). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.service) != has(self.endpoints)",
    message = "a weighted backend needs exactly one of service and endpoints")
@ValidationRule(
    value = "!has(self.tls) || self.protocol == 'h2'",
    message = "backends[].tls is only allowed with protocol h2")
public record WeightedBackend(
    @JsonPropertyDescription(
            "Share of the rule's requests, relative to the other backends' weights (0 to"
                + " 1000000); 0 sends none, and a rule whose weights are all 0 answers 500.")
        @Default("1")
        @Min(0)
        @Max(1000000)
        @Nullable Integer weight,
    @JsonPropertyDescription("A Service whose ready endpoints receive this share.")
        @Nullable ServiceReference service,
    @JsonPropertyDescription("Static endpoints as host:port (IPv6 in brackets).")
        @Size(min = 1, max = 64)
        @Nullable List<@Pattern(Patterns.HOST_PORT) String> endpoints,
    @JsonPropertyDescription(
            "How the sidecar speaks to this backend: http1, h2c (prior knowledge) or h2 (TLS).")
        @Default("http1")
        @Nullable BackendProtocol protocol,
    @JsonPropertyDescription("TLS settings for protocol h2.") @Nullable BackendTls tls)
    implements BackendTarget {}
