package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import org.jspecify.annotations.Nullable;

/** TLS for a listener. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ListenerTls(
    @JsonPropertyDescription(
            "Name of a kubernetes.io/tls Secret in the route's namespace holding tls.crt and"
                + " tls.key. The operator delivers it to the sidecars over the authenticated"
                + " config service; it is never mounted into the pod.")
        @Required
        @Size(max = 253)
        @Pattern(Patterns.DNS_SUBDOMAIN)
        String secretName,
    @JsonPropertyDescription(
            "Client certificates the listener asks for and verifies (downstream mTLS), as Gateway"
                + " API's frontend TLS validation. Absent: none asked for.")
        @Nullable ClientCertificates clientCertificates) {}
