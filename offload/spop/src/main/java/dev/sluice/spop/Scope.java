package dev.sluice.spop;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Variable scopes of set-var/unset-var actions, by wire code. */
public enum Scope {
  PROC(0),
  SESS(1),
  TXN(2),
  REQ(3),
  RES(4);

  private final int code;

  Scope(int code) {
    this.code = code;
  }

  /** The wire code (0..4). */
  public int code() {
    return code;
  }

  /** Lower-case name as HAProxy prints it in {@code <scope>.<prefix>.<name>}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The scope of {@code code}; null when it is not 0..4. */
  public static @Nullable Scope of(int code) {
    return switch (code) {
      case 0 -> PROC;
      case 1 -> SESS;
      case 2 -> TXN;
      case 3 -> REQ;
      case 4 -> RES;
      default -> null;
    };
  }
}
