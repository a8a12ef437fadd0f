package dev.sluice.sidecar.upstream;

import io.netty.handler.codec.http.HttpObject;

/** What an upstream channel tells the exchange it currently serves. */
public interface UpstreamExchange {
  /** A response HttpObject (head, content or last content); ownership passes to the exchange. */
  void onResponseObject(HttpObject msg);

  /** The upstream channel's writability changed (request-body backpressure). */
  void onUpstreamWritabilityChanged(boolean writable);

  /** The upstream channel closed or failed before the exchange let go of it. */
  void onUpstreamClosed(Throwable cause);

  /**
   * The response bytes the lease holds for this exchange, received and not read yet, changed by
   * {@code delta}; once the lease is given back, they add up to zero again.
   */
  default void onResponseBytesHeld(int delta) {}
}
