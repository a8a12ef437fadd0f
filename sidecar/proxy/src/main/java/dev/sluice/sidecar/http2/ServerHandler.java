package dev.sluice.sidecar.http2;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Exception.HeaderListSizeException;
import io.netty.handler.codec.http2.Http2Exception.StreamException;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import org.jspecify.annotations.Nullable;

/**
 * The server's connection handler: Netty's, with the answers of RFC 9113 section 5.1 where Netty
 * gives one answer to frames the RFC tells apart (see {@link ClosedStreams}), a stream the client
 * sent a malformed head for still counted as used, and every refusal of the client reported to
 * {@link ServerEvents}.
 */
final class ServerHandler extends FrameHandlers.Handler {
  private final InboundFrame inbound;
  private final ClosedStreams closed;
  private final ServerEvents events;
  private boolean connectionRefused;

  ServerHandler(
      Http2ConnectionDecoder decoder,
      Http2ConnectionEncoder encoder,
      Http2Settings settings,
      InboundFrame inbound,
      ClosedStreams closed,
      ServerEvents events) {
    super(decoder, encoder, settings);
    this.inbound = inbound;
    this.closed = closed;
    this.events = events;
  }

  @Override
  public @Nullable Long clientReset(Http2Stream stream) {
    return closed.clientResetCode(stream);
  }

  @Override
  protected void onStreamError(
      ChannelHandlerContext ctx, boolean outbound, Throwable cause, StreamException error) {
    if (outbound) {
      super.onStreamError(ctx, true, cause, error);
      return;
    }
    int id = error.streamId();
    Http2Stream stream = connection().stream(id);
    boolean headers = inbound.isHeadersOf(id);
    inbound.handled();
    if (error instanceof HeaderListSizeException) {
      events.refused(Refusal.HEADER_LIST_TOO_LARGE, detail(error));
    } else if (stream == null) {
      onClosedOrUnopened(ctx, cause, error, id, headers);
      return;
    } else if (headers
        && stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE
        && error.error() != Http2Error.STREAM_CLOSED) {
      // HEADERS after the client's END_STREAM: whatever else is wrong with it, the stream is
      // closed to the client (section 5.1, half-closed (remote)); Netty says PROTOCOL_ERROR.
      error = streamError(id, Http2Error.STREAM_CLOSED, "HEADERS after END_STREAM on stream " + id);
      events.refused(Refusal.STREAM_ERROR, detail(error));
    } else if (StreamErrorResets.clientsFault(error.error().code())) {
      events.refused(Refusal.STREAM_ERROR, detail(error));
    }
    super.onStreamError(ctx, false, cause, error);
  }

  /**
   * A stream error for a stream Netty does not hold: closed, or never opened. {@code headers}: the
   * frame is a HEADERS frame.
   */
  private void onClosedOrUnopened(
      ChannelHandlerContext ctx, Throwable cause, StreamException error, int id, boolean headers) {
    if (!connection().streamMayHaveExisted(id)) {
      // A new stream whose head the decoder refused (a malformed field): the stream is opened so
      // that its id counts as used, and reset. Frames the client sent after that head are then
      // ignored, where for a stream that never opened they would close the connection.
      if (error.error() == Http2Error.PROTOCOL_ERROR && openToReset(id)) {
        events.refused(Refusal.MALFORMED_REQUEST, detail(error));
        // A reset that cannot be written means the connection is gone, and the stream with it.
        ChannelFuture unused =
            encoder().writeRstStream(ctx, id, error.error().code(), ctx.newPromise());
        return;
      }
      super.onStreamError(ctx, false, cause, error);
      return;
    }
    ClosedStreams.How how = closed.how(id);
    if (how == ClosedStreams.How.RESET_BY_US) {
      return; // sent before the client read our RST_STREAM: ignored (section 5.1, closed)
    }
    // Netty's answer to HEADERS or DATA for a stream it no longer holds; others keep theirs.
    boolean unknownStream = error.error() == Http2Error.STREAM_CLOSED;
    if (unknownStream && how == ClosedStreams.How.ENDED) {
      onError(
          ctx,
          false,
          connectionError(
              Http2Error.STREAM_CLOSED, "a frame on stream " + id + " after both sides ended it"));
      return;
    }
    if (unknownStream && how == null && headers && closed.neverOpened(id)) {
      onError(
          ctx,
          false,
          connectionError(
              Http2Error.PROTOCOL_ERROR,
              "HEADERS opening stream "
                  + id
                  + " after stream "
                  + connection().remote().lastStreamCreated()
                  + " (expected: increasing stream ids)"));
      return;
    }
    events.refused(Refusal.STREAM_ERROR, detail(error));
    super.onStreamError(ctx, false, cause, error);
  }

  /** Opens client stream {@code id} (half-closed: nothing more is read of it); false if refused. */
  private boolean openToReset(int id) {
    try {
      connection().remote().createStream(id, true);
      return true;
    } catch (Http2Exception e) {
      return false; // after our GOAWAY, say: Netty answers as it would have
    }
  }

  @Override
  protected void onConnectionError(
      ChannelHandlerContext ctx,
      boolean outbound,
      Throwable cause,
      @Nullable Http2Exception error) {
    Refusal refusal = refusalOf(outbound, error);
    if (refusal != null && error != null && !connectionRefused) {
      connectionRefused = true;
      events.refused(refusal, detail(error));
    }
    super.onConnectionError(ctx, outbound, cause, error);
  }

  /** Why the client is refused when the connection ends with {@code error}; null: not its fault. */
  private static @Nullable Refusal refusalOf(boolean outbound, @Nullable Http2Exception error) {
    if (error == null) {
      return null; // not an HTTP/2 error: ours, or the socket's
    }
    if (error instanceof LimitExceeded exceeded) {
      return exceeded.refusal();
    }
    Http2Error code = error.error();
    if (code == Http2Error.ENHANCE_YOUR_CALM) {
      // Netty's own limits: answers queued unread (written: outbound), or frame floods (read).
      return outbound ? Refusal.CONTROL_FRAME_FLOOD : Refusal.FRAME_FLOOD;
    }
    if (outbound || code == Http2Error.NO_ERROR || code == Http2Error.INTERNAL_ERROR) {
      return null;
    }
    return Refusal.PROTOCOL_ERROR;
  }

  /** What {@code error} says, or its code when it says nothing. */
  private static String detail(Http2Exception error) {
    String message = error.getMessage();
    return message != null ? message : error.error().name();
  }

  private static StreamException streamError(int id, Http2Error error, String message) {
    return (StreamException) Http2Exception.streamError(id, error, "%s", message);
  }

  private static Http2Exception connectionError(Http2Error error, String message) {
    return Http2Exception.connectionError(error, "%s", message);
  }
}
