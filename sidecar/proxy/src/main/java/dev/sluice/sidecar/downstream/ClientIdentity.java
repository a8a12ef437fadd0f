package dev.sluice.sidecar.downstream;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * A verified client certificate as the identity header carries it, in the fields of Envoy's {@code
 * x-forwarded-client-cert}: {@code Hash=<sha256 of the DER, hex>;Subject="<RFC 2253>"}, then {@code
 * URI=<uri>} for each URI subject alternative name and {@code DNS=<name>} for each DNS one, joined
 * by {@code ;}. A value is quoted when it holds anything but letters, digits and {@code
 * -._~:/?#[]@!$&'()*+%}; in quotes, {@code "} and {@code \} are escaped with {@code \}, and every
 * character outside printable ASCII is written {@code \}{@code uXXXX}, so a certificate's text can
 * never end the header or add one.
 */
final class ClientIdentity {
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  /** The header value for {@code leaf}, the client's verified certificate. */
  static String of(X509Certificate leaf) {
    StringBuilder out = new StringBuilder(160);
    out.append("Hash=").append(HexFormat.of().formatHex(sha256(leaf)));
    out.append(";Subject=");
    quoted(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253), out);
    for (int type : new int[] {SAN_URI, SAN_DNS}) {
      for (String name : alternativeNames(leaf, type)) {
        out.append(type == SAN_URI ? ";URI=" : ";DNS=");
        value(name, out);
      }
    }
    return out.toString();
  }

  private static byte[] sha256(X509Certificate leaf) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded());
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot hash a verified certificate", e);
    }
  }

  private static List<String> alternativeNames(X509Certificate leaf, int type) {
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return List.of(); // verified, but its extension unreadable: the subject still identifies it
    }
    if (names == null) {
      return List.of();
    }
    return names.stream()
        .filter(n -> n.size() == 2 && n.get(0) instanceof Integer t && t == type)
        .map(n -> String.valueOf(n.get(1)))
        .toList();
  }

  private static void value(String value, StringBuilder out) {
    for (int i = 0; i < value.length(); i++) {
      if (!plain(value.charAt(i))) {
        quoted(value, out);
        return;
      }
    }
    out.append(value);
  }

  private static boolean plain(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-._~:/?#[]@!$&'()*+%".indexOf(c) >= 0;
  }

  private static void quoted(String value, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }

  private ClientIdentity() {}
}
