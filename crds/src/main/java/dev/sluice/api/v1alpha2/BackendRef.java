package dev.sluice.api.v1alpha2;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.sluice.api.v1alpha1.Backend.BackendProtocol;
import dev.sluice.api.v1alpha1.BackendTls;
import dev.sluice.api.v1alpha1.Patterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * As HTTPRoute's HTTPBackendRef: a Service port in the route's namespace and a weight; or, as a
 * Sluice extension, static endpoints. How the sidecar speaks to it (protocol, TLS) are extensions
 * too (Gateway API reads them from the Service port's appProtocol and a BackendTLSPolicy).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.name) != has(self.endpoints)",
    message = "a backendRef needs exactly one of name (a Service) and endpoints")
@ValidationRule(
    value = "has(self.name) == has(self.port)",
    message = "backendRefs[].port is required with name and not allowed with endpoints")
@ValidationRule(
    value = "!has(self.tls) || self.protocol == 'h2'",
    message = "backendRefs[].tls is only allowed with protocol h2")
public record BackendRef(
    @JsonPropertyDescription(
            "API group of the referent: the core group, \"\" (a Service). Absent: the same.")
        @Pattern("^$")
        @Nullable String group,
    @JsonPropertyDescription("Kind of the referent: Service. Absent: the same.")
        @Pattern("^Service$")
        @Nullable String kind,
    @JsonPropertyDescription("Name of a Service in the route's namespace.")
        @Size(max = 63)
        @Pattern(Patterns.DNS_LABEL)
        @Nullable String name,
    @JsonPropertyDescription("Service port number (1-65535).") @Min(1) @Max(65535)
        @Nullable Integer port,
    @JsonPropertyDescription(
            "Share of the rule's requests, relative to the other backendRefs' weights (0 to"
                + " 1000000); 0 sends none.")
        @Default("1")
        @Min(0)
        @Max(1000000)
        @Nullable Integer weight,
    @JsonPropertyDescription(
            "Sluice extension: static endpoints as host:port (IPv6 in brackets), for targets"
                + " outside the cluster or without a Service; instead of name and port.")
        @Size(min = 1, max = 64)
        @Nullable List<@Pattern(Patterns.HOST_PORT) String> endpoints,
    @JsonPropertyDescription(
            "Sluice extension: how the sidecar speaks to the backend: http1 (HTTP/1.1 over TCP),"
                + " h2c (HTTP/2 cleartext, prior knowledge), h2 (HTTP/2 over TLS with ALPN).")
        @Default("http1")
        @Nullable BackendProtocol protocol,
    @JsonPropertyDescription("Sluice extension: TLS settings for protocol h2.")
        @Nullable BackendTls tls) {}
