package dev.sluice.sidecar.upstream;

import java.io.IOException;

/**
 * The upstream refused an HTTP/2 stream without processing it (its id is above the last stream id
 * of the GOAWAY it sent, or it was reset with REFUSED_STREAM): the request may safely be sent again
 * on another connection, if nothing of it was consumed.
 */
public final class StreamRefusedException extends IOException {
  private static final long serialVersionUID = 1L;

  public StreamRefusedException(String message) {
    super(message);
  }
}
