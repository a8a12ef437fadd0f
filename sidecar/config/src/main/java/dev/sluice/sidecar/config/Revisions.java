package dev.sluice.sidecar.config;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Content-hash revisions: the first 16 hex digits of SHA-256 over the config's canonical JSON with
 * the revision left out. Operator and sidecar compute it the same way, so equal configs have equal
 * revisions whoever rendered them.
 */
public final class Revisions {
  private static final int HEX_DIGITS = 16;

  /** The revision {@code config}'s content hashes to (its own revision field is ignored). */
  public static String of(SidecarConfig config) {
    return hash(SidecarConfigCodec.canonicalJson(config.withRevision(null)));
  }

  /** The version {@code endpoints}' content hashes to (its own version field is ignored). */
  public static String of(ClusterEndpoints endpoints) {
    return hash(SidecarConfigCodec.canonicalJson(endpoints.withVersion(null)));
  }

  private static String hash(byte[] canonical) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
      return HexFormat.of().formatHex(digest).substring(0, HEX_DIGITS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private Revisions() {}
}
