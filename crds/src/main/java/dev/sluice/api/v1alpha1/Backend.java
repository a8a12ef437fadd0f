package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The upstream a rule forwards to. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.service) != has(self.endpoints)",
    message = "backend needs exactly one of service and endpoints")
@ValidationRule(
    value = "!has(self.tls) || self.protocol == 'h2'",
    message = "backend.tls is only allowed with protocol h2")
public record Backend(
    @JsonPropertyDescription("A Service whose ready endpoints receive the traffic.")
        @Nullable ServiceReference service,
    @JsonPropertyDescription(
            "Static endpoints as host:port (IPv6 in brackets), for targets outside the cluster"
                + " or without a Service.")
        @Size(min = 1, max = 64)
        @Nullable List<@Pattern(Patterns.HOST_PORT) String> endpoints,
    @JsonPropertyDescription(
            "How the sidecar speaks to the backend: http1 (HTTP/1.1 over TCP), h2c (HTTP/2"
                + " cleartext, prior knowledge), h2 (HTTP/2 over TLS with ALPN).")
        @Default("http1")
        @Nullable BackendProtocol protocol,
    @JsonPropertyDescription("TLS settings for protocol h2.") @Nullable BackendTls tls)
    implements BackendTarget {

  /** Upstream protocols. */
  public enum BackendProtocol {
    @JsonProperty("http1")
    HTTP1,
    @JsonProperty("h2c")
    H2C,
    @JsonProperty("h2")
    H2
  }
}
