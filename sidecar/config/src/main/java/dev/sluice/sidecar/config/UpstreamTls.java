package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * How an h2 upstream is verified.
 *
 * @param serverName SNI and the name checked in the certificate; default: the endpoint's host
 * @param caPem trusted CAs (PEM); default: the JVM's trust store
 * @param insecureSkipVerify skip verification (tests only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UpstreamTls(
    @Nullable String serverName, @Nullable String caPem, Boolean insecureSkipVerify) {

  public UpstreamTls {
    insecureSkipVerify = insecureSkipVerify == null ? Boolean.FALSE : insecureSkipVerify;
  }
}
