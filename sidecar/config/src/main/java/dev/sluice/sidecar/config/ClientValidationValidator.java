package dev.sluice.sidecar.config;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Checks a listener's {@code tls.clientValidation} (downstream mTLS). */
final class ClientValidationValidator {
  /**
   * Header names the proxy itself writes, removes or frames with: an identity forwarded in one of
   * them would be overwritten, or would break the hop. The CRD's CEL rule lists the same names.
   */
  static final List<String> PROXY_OWNED_HEADERS =
      List.of(
          "connection",
          "content-length",
          "expect",
          "host",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "traceparent",
          "tracestate",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "via",
          "x-forwarded-for",
          "x-forwarded-proto");

  static void validate(String path, @Nullable ClientValidation validation, Problems problems) {
    if (validation == null) {
      return;
    }
    String pem = validation.caPem();
    String file = validation.caFile();
    if ((pem == null) == (file == null)) {
      problems.addFinding(
          path,
          pem != null ? "both caPem and caFile" : "neither caPem nor caFile",
          "either caPem (PEM CA certificates) or caFile (the path of a PEM file of them)");
    } else if (pem != null && !pem.contains("-----BEGIN CERTIFICATE-----")) {
      problems.addFinding(
          path + ".caPem",
          "no PEM certificate",
          "one or more PEM CA certificates (-----BEGIN CERTIFICATE-----)");
    } else if (file != null && file.isBlank()) {
      problems.add(path + ".caFile", file, "a PEM file path");
    }
    String header = validation.identityHeader();
    if (header == null) {
      return;
    }
    if (!SidecarConfigValidator.HEADER_NAME.matcher(header).matches()) {
      problems.add(path + ".identityHeader", header, "a header name (RFC 9110 token)");
    } else if (PROXY_OWNED_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
      problems.add(
          path + ".identityHeader",
          header,
          "a header name the proxy does not own itself (not one of " + PROXY_OWNED_HEADERS + ")");
    }
  }

  private ClientValidationValidator() {}
}
