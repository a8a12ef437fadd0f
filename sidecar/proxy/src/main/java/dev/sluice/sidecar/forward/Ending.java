package dev.sluice.sidecar.forward;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;

/**
 * Why an exchange ended, which is all {@code Exchange.end} needs to release, count, record and tell
 * the downstream exactly once.
 *
 * @param kind how it ended
 * @param status the local answer's status ({@link Kind#ANSWERED} only)
 * @param reason the local answer's sentence, or why it was aborted or cancelled; null when
 *     completed or closed
 */
record Ending(Kind kind, @Nullable HttpResponseStatus status, @Nullable String reason) {
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

  static final Ending COMPLETED = new Ending(Kind.COMPLETED, null, null);
  static final Ending DOWNSTREAM_CLOSED = new Ending(Kind.DOWNSTREAM_CLOSED, null, null);
  static final Ending TUNNELED = new Ending(Kind.TUNNELED, null, null);

  static Ending answered(HttpResponseStatus status, String sentence) {
    return new Ending(Kind.ANSWERED, status, sentence);
  }

  static Ending aborted(String why) {
    return new Ending(Kind.ABORTED, null, why);
  }

  static Ending cancelled(String why) {
    return new Ending(Kind.CANCELLED, null, why);
  }
}
