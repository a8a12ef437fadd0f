package dev.sluice.sidecar.upstream;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpObject;
import org.jspecify.annotations.Nullable;

/**
 * One exchange's use of an upstream: an HTTP/1.1 connection, or one stream of an HTTP/2 connection.
 * Request objects go out through {@link #write}, response objects come to the bound {@link
 * UpstreamExchange} one read at a time. Event-loop confined; released exactly once.
 */
public interface UpstreamLease {
  /**
   * Writes (and flushes) one request object; ownership passes to the lease. The future fails with a
   * {@link StreamRefusedException} when the upstream refused the stream before processing it.
   */
  ChannelFuture write(HttpObject msg);

  /**
   * True while the upstream takes more request bytes without queueing (channel and flow control).
   */
  boolean isWritable();

  /** Asks for the next response object (response backpressure). */
  void read();

  /**
   * How far the upstream may send the response ahead of what the exchange read: the downstream's
   * flow-control window for it ({@link Integer#MAX_VALUE} when it has none). An HTTP/2 stream
   * grants its upstream that much window, within a small floor and its largest stream window, so a
   * client that opened little window has little read ahead for it. Nothing for HTTP/1.1, whose
   * read-ahead is its connection's socket buffer.
   */
  default void readAhead(int downstreamWindow) {}

  /**
   * The upstream's response head arrived with {@code status} (a final one, or 101): for outlier
   * detection, 502, 503 and 504 are gateway errors (failures) and any other status a success. The
   * first outcome a lease reports is the one that counts.
   */
  default void responded(int status) {}

  /**
   * The upstream closed or reset the exchange ({@code cause}): a failure for outlier detection
   * unless a response head came first (its status counted) or the stream was refused unprocessed
   * ({@link StreamRefusedException}: the connection going away, not the endpoint failing).
   */
  default void upstreamClosed(Throwable cause) {}

  /** Binds the exchange that gets response objects and events; unbinds with null. */
  void bind(@Nullable UpstreamExchange exchange);

  /** The allocator of the upstream connection (for copies written to it). */
  ByteBufAllocator alloc();

  /** The endpoint this lease's connection goes to ({@code host:port}), for the access log. */
  default @Nullable String endpoint() {
    return null;
  }

  /**
   * Whether outlier detection has the lease's endpoint out of rotation now (for the access log: an
   * exchange whose failure ejected it, or that failed on it meanwhile).
   */
  default boolean endpointEjected() {
    return false;
  }

  /** True when the lease is an HTTP/2 stream. */
  boolean http2();

  /**
   * Gives the lease back. {@code reusable}: the exchange completed cleanly in both directions (an
   * HTTP/1.1 connection may then carry the next request); otherwise it is closed (HTTP/1.1) or the
   * stream reset (HTTP/2).
   */
  void release(boolean reusable);

  /**
   * The upstream connection, handed over to carry a tunnel after {@code 101 Switching Protocols}:
   * its HTTP handlers removed (bytes that came after the 101 stay queued, in order), out of the
   * pool for good (closed with it when the pool closes: a drain's end). Null when the lease cannot
   * (an HTTP/2 stream). The lease is still released (not reusable) when the exchange ends.
   */
  @Nullable Channel takeForTunnel();

  /**
   * True when the upstream accepts an extended CONNECT (RFC 8441): an HTTP/2 connection whose
   * SETTINGS carried SETTINGS_ENABLE_CONNECT_PROTOCOL=1. A lease is handed out only after the
   * connection's first SETTINGS arrived, so the answer is known.
   */
  boolean acceptsExtendedConnect();

  /**
   * The lease's HTTP/2 stream now carries a tunnel: it is reset (CANCEL) when the pool closes (a
   * drain's end), as a tunnel's HTTP/1.1 connection is closed then. Nothing for HTTP/1.1, whose
   * connection is handed over with {@link #takeForTunnel}.
   */
  void tunneled();
}
