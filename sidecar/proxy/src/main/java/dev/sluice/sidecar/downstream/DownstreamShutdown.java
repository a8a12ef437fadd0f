package dev.sluice.sidecar.downstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

/**
 * Ends one downstream connection gracefully when the sidecar stops. HTTP/2 gets the two-phase
 * GOAWAY of RFC 9113 section 6.8: first one naming the largest possible stream id (the client stops
 * opening streams, nothing it already sent is refused), then, a round trip later, the real last
 * stream id, and the connection closes once those streams end. HTTP/1.1 closes when idle, or after
 * the response in progress.
 */
public final class DownstreamShutdown {
  /** Time between the two GOAWAY frames: longer than a round trip between pods. */
  static final long GOAWAY_ROUND_TRIP_MILLIS = 200;

  /** Starts ending {@code connection}; safe from any thread. */
  public static void begin(Channel connection) {
    connection.eventLoop().execute(() -> onLoop(connection));
  }

  private static void onLoop(Channel connection) {
    if (!connection.isActive()) {
      return;
    }
    if (Http2Downstream.shutdown(connection, GOAWAY_ROUND_TRIP_MILLIS)) {
      return;
    }
    Http1Downstream http1 = connection.pipeline().get(Http1Downstream.class);
    if (http1 != null) {
      http1.shutdown();
    } else {
      // Still detecting the protocol or in the TLS handshake: nothing to finish, just close.
      ChannelFuture unused = connection.close();
    }
  }

  private DownstreamShutdown() {}
}
