package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.accesslog.Actor;
import dev.sluice.sidecar.accesslog.Cause;
import dev.sluice.sidecar.accesslog.Stage;
import dev.sluice.sidecar.accesslog.Termination;
import dev.sluice.sidecar.filters.HeaderEdits;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Error;
import org.jspecify.annotations.Nullable;

/**
 * Why an exchange ended, which is all {@code Exchange.end} needs to release, count, record and tell
 * the downstream exactly once.
 *
 * @param kind how it ended
 * @param status the local answer's status ({@link Kind#ANSWERED} only)
 * @param reason the local answer's sentence, or why it was aborted or cancelled; null when
 *     completed or closed
 * @param termination who ended it, where and why, for the access log; a failed one at {@link
 *     Stage#NONE} takes the stage from the phase the exchange ended in
 * @param location the {@code Location} of a local answer that redirects; null for any other
 * @param retryAfterSeconds the local answer's {@code Retry-After} in seconds; 0: none
 * @param fields the local answer's own fields (a CORS preflight's); {@link HeaderEdits#NONE} else
 */
record Ending(
    Kind kind,
    @Nullable HttpResponseStatus status,
    @Nullable String reason,
    Termination termination,
    @Nullable String location,
    long retryAfterSeconds,
    HeaderEdits fields) {
  /** How an exchange can end. */
  enum Kind {
    /** The upstream's response was relayed to its end. */
    COMPLETED(true, "complete"),
    /** The sidecar answered itself before any of a response went downstream. */
    ANSWERED(true, null),
    /** Cut after the response started: the stream is reset or the connection closed. */
    ABORTED(false, "aborted"),
    /** The upstream cancelled after the response started: the downstream is cancelled too. */
    CANCELLED(false, "cancelled"),
    /** A tunnel after {@code 101 Switching Protocols} ran to its end. */
    TUNNELED(true, null),
    /** The client went away or reset the stream. */
    DOWNSTREAM_CLOSED(false, "closed");

    /** Counted out of the generation as completed (not cut off). */
    final boolean completed;

    /** The {@code how} of {@code sluice_streams_ended}; null when not counted there. */
    final @Nullable String streamEnded;

    Kind(boolean completed, @Nullable String streamEnded) {
      this.completed = completed;
      this.streamEnded = streamEnded;
    }
  }

  static final Ending COMPLETED =
      new Ending(Kind.COMPLETED, null, null, Termination.COMPLETED, null, 0, HeaderEdits.NONE);
  static final Ending DOWNSTREAM_CLOSED =
      new Ending(
          Kind.DOWNSTREAM_CLOSED,
          null,
          null,
          Termination.of(Actor.CLIENT, Stage.NONE, Cause.CLOSED),
          null,
          0,
          HeaderEdits.NONE);
  static final Ending TUNNELED =
      new Ending(
          Kind.TUNNELED,
          null,
          null,
          Termination.of(Actor.NONE, Stage.NONE, Cause.TUNNEL_ENDED),
          null,
          0,
          HeaderEdits.NONE);

  static Ending answered(HttpResponseStatus status, String sentence, Termination termination) {
    return new Ending(Kind.ANSWERED, status, sentence, termination, null, 0, HeaderEdits.NONE);
  }

  /**
   * The rule's redirect, answered by the sidecar: {@code status} with {@code location}; the
   * exchange ran to the end its rule gives it ({@code --}, cause {@code redirect}).
   */
  static Ending redirected(HttpResponseStatus status, String location) {
    return new Ending(
        Kind.ANSWERED,
        status,
        "redirected to " + location,
        Termination.of(Actor.NONE, Stage.NONE, Cause.REDIRECT, Integer.toString(status.code())),
        location,
        0,
        HeaderEdits.NONE);
  }

  /**
   * A CORS preflight, answered by the sidecar: {@code 200} with no body and {@code fields} (none of
   * CORS for an origin not allowed); the exchange ran to the end its rule gives it ({@code --},
   * cause {@code cors_preflight}).
   */
  static Ending preflight(HeaderEdits fields, boolean allowed) {
    return new Ending(
        Kind.ANSWERED,
        HttpResponseStatus.OK,
        allowed ? "preflight answered" : "preflight answered for an origin not allowed",
        Termination.of(
            Actor.NONE, Stage.NONE, Cause.CORS_PREFLIGHT, allowed ? null : "origin not allowed"),
        null,
        0,
        fields);
  }

  /** A {@code 429} answer saying when to come back ({@code Retry-After}, whole seconds). */
  static Ending rateLimited(long retryAfterSeconds, String sentence, Termination termination) {
    return new Ending(
        Kind.ANSWERED,
        HttpResponseStatus.TOO_MANY_REQUESTS,
        sentence,
        termination,
        null,
        retryAfterSeconds,
        HeaderEdits.NONE);
  }

  static Ending aborted(String why, Termination termination) {
    return new Ending(Kind.ABORTED, null, why, termination, null, 0, HeaderEdits.NONE);
  }

  /** The client reset its stream (RST_STREAM with {@code errorCode}). */
  static Ending downstreamReset(long errorCode) {
    Http2Error error = Http2Error.valueOf(errorCode);
    return new Ending(
        Kind.DOWNSTREAM_CLOSED,
        null,
        null,
        Termination.of(
            Actor.CLIENT,
            Stage.NONE,
            Cause.RESET,
            error != null ? error.name() : "error " + errorCode),
        null,
        0,
        HeaderEdits.NONE);
  }

  /** The upstream cancelled its stream after the response started (RST_STREAM CANCEL). */
  static Ending cancelled(String why) {
    return new Ending(
        Kind.CANCELLED,
        null,
        why,
        Termination.of(Actor.UPSTREAM, Stage.NONE, Cause.RESET, "CANCEL"),
        null,
        0,
        HeaderEdits.NONE);
  }

  /** This answer, come too late to be given (the response started): the exchange is cut. */
  Ending cut() {
    return new Ending(Kind.ABORTED, null, reason, termination, null, 0, HeaderEdits.NONE);
  }
}
