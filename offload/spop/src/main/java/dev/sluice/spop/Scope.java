package dev.sluice.spop;

/** Variable scopes of set-var/unset-var actions, by wire code. */
public enum Scope {
  PROC,
  SESS,
  TXN,
  REQ,
  RES;

  /** The wire code (0..4). */
  public int code() {
    return ordinal();
  }

  /** Lower-case name as HAProxy prints it in {@code <scope>.<prefix>.<name>}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The scope of {@code code}, or null when it is not 0..4. */
  public static Scope of(int code) {
    Scope[] all = values();
    return code >= 0 && code < all.length ? all[code] : null;
  }
}
