package dev.sluice.sidecar.forward;

import io.netty.channel.Channel;

/** What an exchange needs from the downstream connection or stream it serves. */
public interface DownstreamSide {
  /** The channel request objects come from and response objects go to. */
  Channel channel();

  boolean http2();

  /** Client address for X-Forwarded-For, or null. */
  String clientAddress();

  /** "http" or "https". */
  String scheme();

  /** Asks for the next request object (request-body backpressure). */
  void readRequest();

  /**
   * The exchange is over. {@code requestComplete}: the whole request was read; {@code keepAlive}:
   * HTTP/1.1 may serve the next request on this connection.
   */
  void exchangeFinished(boolean requestComplete, boolean keepAlive);

  /** The exchange failed after the response started: reset the stream or close the connection. */
  void abort();
}
