package dev.sluice.operator.render;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names in the sidecar config (listeners, routes, agents; also metric labels) are at most 63
 * characters. Kubernetes names can be longer; a long one keeps its first characters and ends with a
 * hash of the whole, so it stays readable, unique and stable across renders.
 */
public final class Names {
  static final int MAX = 63;
  private static final int HASH = 10;

  public static String of(String... parts) {
    String joined = String.join(".", parts);
    if (joined.length() <= MAX) {
      return joined;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(joined.getBytes(StandardCharsets.UTF_8));
      String hash = HexFormat.of().formatHex(digest).substring(0, HASH);
      String head = joined.substring(0, MAX - HASH - 1);
      while (!head.isEmpty() && !Character.isLetterOrDigit(head.charAt(head.length() - 1))) {
        head = head.substring(0, head.length() - 1);
      }
      return head + "-" + hash;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private Names() {}
}
