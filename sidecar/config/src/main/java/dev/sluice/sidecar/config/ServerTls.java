package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * A listener's certificate chain and private key, either inline PEM (what the operator renders from
 * a Secret) or file paths (standalone mode). Exactly one of the two forms.
 *
 * @param certificatePem PEM certificate chain
 * @param privateKeyPem PEM private key (PKCS#8)
 * @param certificateFile path of a PEM certificate chain
 * @param privateKeyFile path of a PEM private key
 * @param clientValidation client certificates the listener asks for and verifies (contract 4);
 *     absent: none asked for
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServerTls(
    @Nullable String certificatePem,
    @Nullable String privateKeyPem,
    @Nullable String certificateFile,
    @Nullable String privateKeyFile,
    @Nullable ClientValidation clientValidation) {

  @Override
  public String toString() {
    // Never print key material (configs end up in logs and error messages).
    return "ServerTls[certificate="
        + (certificateFile != null ? certificateFile : "<inline>")
        + ", key="
        + (privateKeyFile != null ? privateKeyFile : "<inline, redacted>")
        + (clientValidation != null ? ", " + clientValidation : "")
        + "]";
  }
}
