package dev.sluice.sidecar.http2;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;

/** A connection error ENHANCE_YOUR_CALM raised by one of our limits, naming which. */
final class LimitExceeded extends Http2Exception {
  private final Refusal refusal;

  LimitExceeded(Refusal refusal, String message) {
    super(Http2Error.ENHANCE_YOUR_CALM, message, ShutdownHint.HARD_SHUTDOWN);
    this.refusal = refusal;
  }

  Refusal refusal() {
    return refusal;
  }
}
