package dev.sluice.sidecar.upstream;

import java.net.ConnectException;

/**
 * A request waited for one of an endpoint's pooled connections (or streams) while all were busy,
 * and none became free in time. The sidecar's own limit ran out, not the endpoint: no outlier
 * failure (Envoy counts pool overflows apart too).
 */
final class NoConnectionAvailableException extends ConnectException {
  private static final long serialVersionUID = 1L;

  NoConnectionAvailableException(String message) {
    super(message);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this; // an expected state, answered and counted: no stack to capture
  }
}
