package dev.sluice.sidecar.forward;

import dev.sluice.spop.SpopValue;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.Map;

/** What an exchange needs from the downstream connection or stream it serves. */
public interface DownstreamSide {
  /** The channel request objects come from and response objects go to. */
  Channel channel();

  boolean http2();

  /** Client address for X-Forwarded-For, or null. */
  String clientAddress();

  /** The client's socket address (the connection's, for HTTP/2 streams), or null. */
  InetSocketAddress remote();

  /** The address the client connected to, or null. */
  InetSocketAddress local();

  /** The connection's {@code sess.*} agent variables (shared by its requests and streams). */
  Map<String, SpopValue> sessionVariables();

  /** True once the sidecar is shutting down: HTTP/1.1 answers close their connection. */
  boolean stopping();

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
