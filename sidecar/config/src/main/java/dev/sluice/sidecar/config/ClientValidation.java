package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * Client certificates on an HTTPS listener (downstream mTLS), as Gateway API's frontend TLS
 * validation: the CA that signs them, what happens to a client without a valid one, and the header
 * the verified identity goes upstream in (contract 4).
 *
 * @param caPem PEM CA certificates (what the operator renders from a ConfigMap or Secret)
 * @param caFile path of a PEM file of CA certificates (standalone mode); exactly one of the two
 * @param mode {@link Mode#ALLOW_VALID_ONLY} (default) or {@link Mode#ALLOW_INSECURE_FALLBACK}
 * @param identityHeader the request header the verified identity is forwarded upstream in; absent:
 *     none. Whatever a client sends in it is always removed first.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClientValidation(
    @Nullable String caPem, @Nullable String caFile, Mode mode, @Nullable String identityHeader) {

  public ClientValidation {
    mode = mode == null ? Mode.ALLOW_VALID_ONLY : mode;
  }

  /** Gateway API's {@code FrontendValidationModeType}. */
  public enum Mode {
    /**
     * A client without a certificate, with an expired one or one the CA did not sign fails the TLS
     * handshake.
     */
    @JsonProperty("AllowValidOnly")
    ALLOW_VALID_ONLY,
    /**
     * Such a client is served as if it sent no certificate: nothing verified, no identity
     * forwarded.
     */
    @JsonProperty("AllowInsecureFallback")
    ALLOW_INSECURE_FALLBACK
  }

  @Override
  public String toString() {
    return "ClientValidation[ca="
        + (caFile != null ? caFile : "<inline>")
        + ", mode="
        + mode
        + ", identityHeader="
        + identityHeader
        + "]";
  }
}
