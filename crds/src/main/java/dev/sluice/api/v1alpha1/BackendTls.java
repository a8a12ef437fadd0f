package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/** How the sidecar verifies an h2 backend. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.insecureSkipVerify) && self.insecureSkipVerify && has(self.caSecretName))",
    message = "backend.tls.caSecretName has no effect with insecureSkipVerify: true; set one")
public record BackendTls(
    @JsonPropertyDescription(
            "Server name sent in SNI and checked against the certificate. Default: the Service's"
                + " DNS name, or the host of a static endpoint.")
        @Size(max = 253)
        @Nullable String serverName,
    @JsonPropertyDescription(
            "Secret (same namespace) whose ca.crt holds the CAs trusted for the backend. Default:"
                + " the JVM's trust store.")
        @Size(max = 253)
        @Pattern(Patterns.DNS_SUBDOMAIN)
        @Nullable String caSecretName,
    @JsonPropertyDescription("Skip certificate verification. For tests only.") @Default("false")
        @Nullable Boolean insecureSkipVerify) {}
