package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Client certificates on an HTTPS listener (downstream mTLS), in the names and semantics of Gateway
 * API's frontend TLS validation ({@code caCertificateRefs}, {@code mode}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.identityHeader) || !self.identityHeader.matches('(?i)^(connection|content-length"
            + "|expect|host|keep-alive|proxy-authenticate|proxy-authorization|proxy-connection|te"
            + "|traceparent|tracestate|trailer|transfer-encoding|upgrade|via|x-forwarded-for"
            + "|x-forwarded-proto)$')",
    message =
        "clientCertificates.identityHeader must not be a header the proxy owns (connection,"
            + " content-length, expect, host, keep-alive, proxy-*, te, traceparent, tracestate,"
            + " trailer, transfer-encoding, upgrade, via, x-forwarded-for, x-forwarded-proto)")
public record ClientCertificates(
    @JsonPropertyDescription(
            "ConfigMaps or Secrets in the route's namespace whose ca.crt holds the PEM CA"
                + " certificates client certificates must chain to (all of them are trusted).")
        @Required
        @Size(min = 1, max = 8)
        List<CaCertificateRef> caCertificateRefs,
    @JsonPropertyDescription(
            "AllowValidOnly: a client without a valid certificate (missing, expired, of another"
                + " CA) fails the TLS handshake. AllowInsecureFallback: it is served, without an"
                + " identity.")
        @Default("AllowValidOnly")
        @Nullable Mode mode,
    @JsonPropertyDescription(
            "Request header the verified identity is forwarded upstream in (Envoy's"
                + " x-forwarded-client-cert fields: Hash, Subject, URI, DNS). Whatever a client"
                + " sends in it is always removed first. Absent: no identity is forwarded.")
        @Size(max = 128)
        @Pattern(Patterns.HEADER_NAME)
        @Nullable String identityHeader) {

  /** Gateway API's {@code FrontendValidationModeType}. */
  public enum Mode {
    @JsonProperty("AllowValidOnly")
    ALLOW_VALID_ONLY,
    @JsonProperty("AllowInsecureFallback")
    ALLOW_INSECURE_FALLBACK
  }

  /**
   * A ConfigMap or Secret holding CA certificates under {@code ca.crt}, as Gateway API's {@code
   * caCertificateRefs} entries.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CaCertificateRef(
      @JsonPropertyDescription("ConfigMap (default) or Secret.") @Default("ConfigMap")
          @Nullable Kind kind,
      @JsonPropertyDescription("Its name, in the route's namespace.")
          @Required
          @Size(max = 253)
          @Pattern(Patterns.DNS_SUBDOMAIN)
          String name) {

    /** What a reference may name. */
    public enum Kind {
      @JsonProperty("ConfigMap")
      CONFIG_MAP,
      @JsonProperty("Secret")
      SECRET
    }

    /** The kind, ConfigMap when unset. */
    public Kind kindOrDefault() {
      return kind == null ? Kind.CONFIG_MAP : kind;
    }
  }
}
