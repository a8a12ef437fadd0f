package dev.sluice.sidecar.downstream;

/**
 * What a client connection's certificate came to on a listener that validates them: verified, or
 * why not. On an {@code AllowValidOnly} listener every outcome but {@link #VERIFIED} is a refused
 * handshake; on an {@code AllowInsecureFallback} one, a connection served without an identity.
 */
enum ClientCertificateOutcome {
  VERIFIED("verified", "a certificate the CA signed, valid now"),
  NO_CERTIFICATE("no_certificate", "no client certificate"),
  EXPIRED("expired", "a client certificate outside its validity period"),
  UNTRUSTED("untrusted", "a client certificate the listener's CA did not sign");

  private final String label;
  private final String sentence;

  ClientCertificateOutcome(String label, String sentence) {
    this.label = label;
    this.sentence = sentence;
  }

  /** The metric label ({@code sluice_downstream_client_certificates_total{outcome}}). */
  String label() {
    return label;
  }

  /** What the client presented, for a log line. */
  String sentence() {
    return sentence;
  }
}
