package dev.sluice.sidecar.forward;

import java.net.ConnectException;
import org.jspecify.annotations.Nullable;

/** Failures as the sentences of local answers put them. */
final class Causes {
  /** A connect failure as the JDK says it; anything else with its kind. */
  static @Nullable String describe(@Nullable Throwable cause) {
    if (cause instanceof ConnectException) {
      return cause.getMessage();
    }
    return cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  /** A decoder's framing failure: its kind, and its message when it has one. */
  static String framing(@Nullable Throwable cause) {
    String message = cause == null ? null : cause.getMessage();
    String kind = cause == null ? "unknown" : cause.getClass().getSimpleName();
    return message == null ? kind : kind + ": " + message;
  }

  private Causes() {}
}
