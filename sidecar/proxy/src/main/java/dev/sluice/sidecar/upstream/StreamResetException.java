package dev.sluice.sidecar.upstream;

import io.netty.handler.codec.http2.Http2Error;
import java.io.IOException;

/**
 * The upstream reset an HTTP/2 stream (RST_STREAM) with {@code errorCode}, other than
 * REFUSED_STREAM (that is a {@link StreamRefusedException}). A reset with CANCEL is the upstream
 * cancelling the exchange, as a gRPC server does when it stops a call, and is passed on downstream
 * as such.
 */
public final class StreamResetException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long errorCode;

  public StreamResetException(long errorCode) {
    super("the upstream reset the stream (" + name(errorCode) + ")");
    this.errorCode = errorCode;
  }

  public long errorCode() {
    return errorCode;
  }

  /** True for a reset with CANCEL: the upstream no longer wants the stream. */
  public boolean cancelled() {
    return errorCode == Http2Error.CANCEL.code();
  }

  /** The error code's name ({@code CANCEL}, {@code INTERNAL_ERROR}), or {@code error N}. */
  public String errorName() {
    return name(errorCode);
  }

  private static String name(long errorCode) {
    Http2Error error = Http2Error.valueOf(errorCode);
    return error != null ? error.name() : "error " + errorCode;
  }
}
