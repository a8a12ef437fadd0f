package dev.sluice.operator;

/**
 * Whether an API server's version runs native sidecars (SidecarContainers, on by default 1.29+).
 */
final class NativeSidecars {
  private NativeSidecars() {}

  /** {@code major}/{@code minor} as /version reports them (minor may carry a "+" suffix). */
  static boolean supported(String major, String minor) {
    try {
      int ma = Integer.parseInt(major.replaceAll("[^0-9]", ""));
      int mi = Integer.parseInt(minor.replaceAll("[^0-9]", ""));
      return ma > 1 || (ma == 1 && mi >= 29);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
