package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.http2.Refusal;
import dev.sluice.spop.SpopValue;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;
import java.net.InetSocketAddress;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What an exchange needs from the downstream it serves: an HTTP/1.1 connection, or one stream of an
 * HTTP/2 connection.
 */
public interface DownstreamSide {
  /** Writes (and flushes) one response object; ownership passes. */
  ChannelFuture write(HttpObject msg);

  /** True while more response bytes can be written without queueing. */
  boolean isWritable();

  /** The allocator of the downstream connection (for copies and local answers). */
  ByteBufAllocator alloc();

  /** The event loop of the downstream connection (the exchange's timers run on it). */
  EventLoop eventLoop();

  boolean http2();

  /** Client address for X-Forwarded-For; null when the connection is not an IP one. */
  @Nullable String clientAddress();

  /** The client's socket address (the connection's, for HTTP/2 streams); null when not IP. */
  @Nullable InetSocketAddress remote();

  /** The client's address and port as logs write them ({@code [fd00::1]:51234}); {@code -}. */
  default String clientAddressAndPort() {
    String address = clientAddress();
    if (address == null || address.isEmpty()) {
      return "-";
    }
    String host = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
    InetSocketAddress remote = remote();
    return remote == null ? host : host + ":" + remote.getPort();
  }

  /** The address the client connected to; null when not IP. */
  @Nullable InetSocketAddress local();

  /** The connection's {@code sess.*} agent variables (shared by its requests and streams). */
  Map<String, SpopValue> sessionVariables();

  /** True once the sidecar is shutting down: HTTP/1.1 answers close their connection. */
  boolean stopping();

  /** "http" or "https". */
  String scheme();

  /**
   * Something of the client's input was refused ({@code detail}: what, as a sentence): counted by
   * reason, and logged once per client connection at most.
   */
  void refused(Refusal refusal, String detail);

  /** Asks for the next request object (request-body backpressure). */
  void readRequest();

  /**
   * The response bytes the client lets the sidecar send now: an HTTP/2 stream's flow-control window
   * (the smaller of the stream's and the connection's); {@link Integer#MAX_VALUE} for HTTP/1.1,
   * which has none.
   */
  default int responseWindow() {
    return Integer.MAX_VALUE;
  }

  /**
   * Response bytes held upstream for this side (received, not yet read) changed by {@code delta}:
   * what it pins in the sidecar beyond what it queued itself.
   */
  default void responseBytesHeld(int delta) {}

  /**
   * The exchange is over. {@code requestComplete}: the whole request was read; {@code keepAlive}:
   * HTTP/1.1 may serve the next request on this connection.
   */
  void exchangeFinished(boolean requestComplete, boolean keepAlive);

  /** The exchange failed after the response started: reset the stream or close the connection. */
  void abort();

  /**
   * The upstream cancelled the exchange after the response started: passed on as a cancellation
   * where the downstream can say so (an HTTP/2 stream is reset with CANCEL, which a gRPC client
   * reads as CANCELLED), else the same as {@link #abort}.
   */
  default void cancel() {
    abort();
  }

  /**
   * The client connection, handed over to carry a tunnel after {@code 101 Switching Protocols}: its
   * HTTP handlers removed (what was read after the request stays queued, in order), the side done
   * with it. Null when this side cannot (an HTTP/2 stream).
   */
  default @Nullable Channel takeForTunnel() {
    return null;
  }
}
