package dev.sluice.sidecar.accesslog;

import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who ended an exchange, where and why, in the spirit of HAProxy's termination state: a two-letter
 * {@link #code()} ({@code --} ran to its end; {@code UH} the upstream ended it before its response
 * head; {@code CD} the client while the response body flowed; {@code AO} an agent during an
 * offload; {@code PR} the sidecar while reading the request), a {@link Cause} from a bounded set,
 * and a detail (a reset code, a limit's name, a connect error) for the rare case that needs it.
 */
public record Termination(Actor actor, Stage stage, Cause cause, @Nullable String detail) {
  public static final Termination COMPLETED =
      new Termination(Actor.NONE, Stage.NONE, Cause.OK, null);

  public Termination {
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(cause, "cause");
  }

  public static Termination of(Actor actor, Stage stage, Cause cause) {
    return new Termination(actor, stage, cause, null);
  }

  public static Termination of(Actor actor, Stage stage, Cause cause, @Nullable String detail) {
    return new Termination(actor, stage, cause, detail);
  }

  /** The same actor and cause at another stage (the exchange's, known only where it ended). */
  public Termination at(Stage where) {
    return new Termination(actor, where, cause, detail);
  }

  /** Two letters: who, then where; {@code --} for an exchange that ran to its end. */
  public String code() {
    return new String(new char[] {actor.letter(), stage.letter()});
  }

  /**
   * True unless the exchange ran to its end (a completed response, a tunnel that ended, or the
   * redirect or CORS preflight its rule answers with).
   */
  public boolean failed() {
    return cause != Cause.OK
        && cause != Cause.TUNNEL_ENDED
        && cause != Cause.REDIRECT
        && cause != Cause.CORS_PREFLIGHT;
  }

  @Override
  public String toString() {
    String text = code() + " " + cause.label();
    return detail == null ? text : text + " (" + detail.toLowerCase(Locale.ROOT) + ")";
  }
}
