package dev.sluice.cli.check;

import dev.sluice.operator.certs.Certificates;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Reads the operator's TLS Secret ({@code tls.crt}, {@code ca.crt}). */
final class TlsSecret {
  /** The Secret may hold keys: reading it needs a right a user of check may lack. */
  static final class Unreadable extends Exception {
    private final String fix;
    private final String sentence;

    Unreadable(Installation install) {
      super(where(install) + " is not readable (403)", null, false, false);
      this.sentence = where(install) + " is not readable (403)";
      this.fix =
          "kubectl auth can-i get secret/" + install.tlsSecret() + " -n " + install.namespace();
    }

    String fix() {
      return fix;
    }

    String sentence() {
      return sentence;
    }
  }

  private TlsSecret() {}

  static String where(Installation install) {
    return "Secret " + install.namespace() + "/" + install.tlsSecret();
  }

  /** The Secret, or null when it does not exist. */
  static @Nullable Secret read(KubernetesClient client, Installation install) throws Unreadable {
    try {
      return client.secrets().inNamespace(install.namespace()).withName(install.tlsSecret()).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        throw new Unreadable(install);
      }
      throw e;
    }
  }

  /** A key's value as text, or null when absent. */
  static @Nullable String text(Secret secret, String key) {
    if (secret.getData() == null || !secret.getData().containsKey(key)) {
      return null;
    }
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  /** Whether two PEM bundles hold the same certificates (order aside). */
  static boolean sameCertificates(String a, String b) {
    try {
      return encoded(Certificates.bundle(a)).equals(encoded(Certificates.bundle(b)));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether {@code certificate} carries a valid signature of a CA in the PEM bundle. */
  static boolean signedByAny(X509Certificate certificate, String caPem) {
    List<X509Certificate> cas;
    try {
      cas = Certificates.bundle(caPem);
    } catch (IllegalArgumentException e) {
      return false;
    }
    for (X509Certificate ca : cas) {
      try {
        certificate.verify(ca.getPublicKey());
        return true;
      } catch (GeneralSecurityException e) {
        // not this one
      }
    }
    return false;
  }

  private static Set<String> encoded(List<X509Certificate> certificates) {
    Set<String> out = new HashSet<>();
    for (X509Certificate c : certificates) {
      try {
        out.add(Base64.getEncoder().encodeToString(c.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new IllegalArgumentException(e);
      }
    }
    return out;
  }
}
