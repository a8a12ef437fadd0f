package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/** The downstream side: the port the sidecar listens on and how it speaks there. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.protocol == 'HTTPS' ? has(self.tls) : !has(self.tls)",
    message = "listener.tls is required when protocol is HTTPS and not allowed when it is HTTP")
public record Listener(
    @JsonPropertyDescription(
            "Container port the sidecar listens on (1-65535). ProxyRoutes selecting the same pod"
                + " may share a port only with the same protocol and TLS settings.")
        @Required
        @Min(1)
        @Max(65535)
        Integer port,
    @JsonPropertyDescription(
            "HTTP: cleartext HTTP/1.1, and HTTP/2 with prior knowledge (h2c), detected per"
                + " connection. HTTPS: TLS with ALPN offering h2 and http/1.1.")
        @Default("HTTP")
        @Nullable ListenerProtocol protocol,
    @JsonPropertyDescription("TLS settings; required for HTTPS.") @Nullable ListenerTls tls,
    @JsonPropertyDescription(
            "Silence and connection limits of client connections; the sidecar's defaults when"
                + " left out.")
        @Nullable ListenerLimits limits,
    @JsonPropertyDescription(
            "Limits on each HTTP/2 client connection; the sidecar's defaults when left out.")
        @Nullable ListenerHttp2 http2) {

  /** Downstream protocols. */
  public enum ListenerProtocol {
    HTTP,
    HTTPS
  }
}
