package dev.sluice.spop;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One message of a NOTIFY: a name and its arguments in order (names may be empty: HAProxy sends
 * unnamed arguments with a zero-length name).
 */
public record Message(String name, List<Argument> args) {
  public Message {
    args = List.copyOf(args);
  }

  /** The first argument called {@code argName}; null when there is none. */
  public @Nullable SpopValue arg(String argName) {
    for (Argument a : args) {
      if (a.name().equals(argName)) {
        return a.value();
      }
    }
    return null;
  }

  /** A named argument. */
  public record Argument(String name, SpopValue value) {}
}
