package dev.sluice.operator.render;

import static dev.sluice.operator.render.RenderProblem.Kind.PROXY_ROUTE;

import dev.sluice.api.v1alpha1.ClientCertificates;
import dev.sluice.api.v1alpha1.ClientCertificates.CaCertificateRef;
import dev.sluice.api.v1alpha1.Reasons;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A listener's client certificate CAs: its {@code caCertificateRefs} (ConfigMaps or Secrets, key
 * {@code ca.crt}, as Gateway API's) resolved into the one PEM bundle the sidecar verifies client
 * certificates against, every reference's certificates in order. A reference to a missing object,
 * one without {@code ca.crt}, or one whose {@code ca.crt} is not PEM certificates is a problem
 * naming it: the route is then left out, never served with fewer CAs (or none) than it names.
 */
final class ClientCaCertificates {
  static final String KEY = "ca.crt";
  private static final String FIELD = "spec.listener.tls.clientCertificates.caCertificateRefs";
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]*)-----END CERTIFICATE-----");
  private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([^-\\r\\n]*)-----");
  private static final Base64.Encoder PEM_BODY =
      Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

  private ClientCaCertificates() {}

  /**
   * The PEM bundle of every reference's certificates (re-encoded: 64-character lines, nothing but
   * the certificates), or null when a reference did not resolve (its problem added).
   */
  static @Nullable String resolve(
      RenderInput input, String route, ClientCertificates certs, List<RenderProblem> problems) {
    List<CaCertificateRef> refs = certs.caCertificateRefs();
    StringBuilder bundle = new StringBuilder();
    boolean resolved = true;
    for (int i = 0; i < refs.size(); i++) {
      CaCertificateRef ref = refs.get(i);
      boolean secret = ref.kindOrDefault() == CaCertificateRef.Kind.SECRET;
      String kind = secret ? "Secret" : "ConfigMap";
      Map<String, String> data = (secret ? input.secrets() : input.configMaps()).get(ref.name());
      String text = data == null ? null : data.get(KEY);
      String found;
      if (data == null) {
        found = kind + " " + ref.name();
      } else if (text == null) {
        found =
            kind
                + " "
                + ref.name()
                + " without "
                + KEY
                + " (keys: "
                + new TreeSet<>(data.keySet())
                + ")";
      } else {
        Pem pem = certificates(text);
        if (pem.failure() == null) {
          pem.blocks().forEach(bundle::append);
          continue;
        }
        found = kind + " " + ref.name() + " " + KEY + ": " + pem.failure();
      }
      resolved = false;
      problems.add(
          RenderProblem.unresolved(
              PROXY_ROUTE,
              route,
              Reasons.INVALID_CA_CERTIFICATE_REF,
              FIELD + "[" + i + "]",
              found,
              "a "
                  + kind
                  + " in namespace "
                  + input.namespace()
                  + " whose "
                  + KEY
                  + " holds PEM CA certificates"));
    }
    return resolved ? bundle.toString() : null;
  }

  /**
   * The certificates of a PEM text, each re-encoded as one PEM block; or why it is not PEM
   * certificates. Text outside the blocks (a bundle's comments) is left out.
   *
   * @param blocks the certificates, each {@code -----BEGIN CERTIFICATE-----} to its END line
   * @param failure null when every PEM block is a certificate that parses, and there is one
   */
  record Pem(List<String> blocks, @Nullable String failure) {}

  static Pem certificates(String text) {
    Matcher begin = BEGIN.matcher(text);
    int begins = 0;
    while (begin.find()) {
      begins++;
      if (!begin.group(1).equals("CERTIFICATE")) {
        return new Pem(List.of(), "a PEM block that is not a certificate (" + begin.group(1) + ")");
      }
    }
    if (begins == 0) {
      return new Pem(List.of(), "no PEM certificate");
    }
    List<String> blocks = new ArrayList<>();
    Matcher block = BLOCK.matcher(text);
    while (block.find()) {
      int n = blocks.size() + 1;
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(block.group(1).strip());
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
      } catch (IllegalArgumentException | CertificateException e) {
        return new Pem(List.of(), "certificate " + n + " does not parse as X.509");
      }
      blocks.add(
          "-----BEGIN CERTIFICATE-----\n"
              + PEM_BODY.encodeToString(der)
              + "\n-----END CERTIFICATE-----\n");
    }
    if (blocks.size() != begins) {
      return new Pem(
          List.of(),
          "a -----BEGIN CERTIFICATE----- block without a base64 body and an -----END CERTIFICATE-----"
              + " line");
    }
    return new Pem(blocks, null);
  }
}
