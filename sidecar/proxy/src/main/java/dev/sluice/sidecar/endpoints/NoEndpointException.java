package dev.sluice.sidecar.endpoints;

import java.io.IOException;

/**
 * An upstream has no endpoint to send a request to: its cluster is not known yet, it has none, or
 * none of them serves. Nothing was sent anywhere; the request is answered 503 naming the cluster.
 */
public final class NoEndpointException extends IOException {
  private static final long serialVersionUID = 1L;

  public NoEndpointException(String message) {
    super(message, null);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this; // an expected state, answered and counted: no stack to capture
  }
}
