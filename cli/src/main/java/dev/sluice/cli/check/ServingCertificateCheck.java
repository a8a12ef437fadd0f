package dev.sluice.cli.check;

import dev.sluice.operator.certs.Certificates;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * The operator's serving certificate (webhook and config service): present in its TLS Secret,
 * signed by the CA beside it, and not about to expire.
 */
final class ServingCertificateCheck implements Check {
  @Override
  public List<CheckResult> run(KubernetesClient client, Installation install, Instant now) {
    String check = "serving certificate";
    String where = TlsSecret.where(install);
    Secret secret;
    try {
      secret = TlsSecret.read(client, install);
    } catch (TlsSecret.Unreadable e) {
      return List.of(CheckResult.warn(check, e.sentence(), e.fix()));
    }
    String crt = secret == null ? null : TlsSecret.text(secret, "tls.crt");
    if (secret == null || crt == null) {
      return List.of(
          CheckResult.fail(
              check,
              where
                  + " not found or without tls.crt (expected: written by the operator at start, or"
                  + " by cert-manager)",
              install.restartOperator() + "; " + install.operatorLogs()));
    }
    X509Certificate certificate;
    try {
      certificate = Certificates.certificate(crt);
    } catch (IllegalArgumentException e) {
      return List.of(
          CheckResult.fail(
              check, where + ": tls.crt is not a PEM certificate", install.restartOperator()));
    }
    Instant notAfter = certificate.getNotAfter().toInstant();
    String found = where + ": " + Expiry.describe(notAfter, now);
    if (Expiry.tooSoon(notAfter, now)) {
      return List.of(
          CheckResult.fail(
              check,
              found + " (expected: more than " + Expiry.MARGIN.toDays() + " days left)",
              install.restartOperator() + "; " + install.operatorLogs()));
    }
    String ca = TlsSecret.text(secret, "ca.crt");
    if (ca != null && !TlsSecret.signedByAny(certificate, ca)) {
      return List.of(
          CheckResult.fail(
              check,
              found + ", but not signed by a CA in ca.crt (expected: signed by it)",
              install.restartOperator()));
    }
    return List.of(CheckResult.pass(check, found));
  }
}
