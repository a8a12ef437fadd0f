package dev.sluice.sidecar.downstream;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import java.util.concurrent.TimeUnit;

/**
 * Ends one downstream connection gracefully when the sidecar stops. HTTP/2 gets the two-phase
 * GOAWAY of RFC 9113 section 6.8: first one naming the largest possible stream id (the client stops
 * opening streams, nothing it already sent is refused), then, a round trip later, the real last
 * stream id — Netty's graceful close sends it and closes once those streams end. HTTP/1.1 closes
 * when idle, or after the response in progress.
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
    Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
    if (codec != null) {
      DefaultHttp2GoAwayFrame announce = new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR);
      announce.setExtraStreamIds(Integer.MAX_VALUE);
      connection.writeAndFlush(announce);
      connection
          .eventLoop()
          .schedule(
              () -> {
                // The real last stream: streams the client opened meanwhile are still served.
                connection.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
                closeWhenIdle(connection, codec.connection());
              },
              GOAWAY_ROUND_TRIP_MILLIS,
              TimeUnit.MILLISECONDS);
      return;
    }
    DownstreamRequestHandler http1 = connection.pipeline().get(DownstreamRequestHandler.class);
    if (http1 != null) {
      http1.shutdown();
    } else {
      connection.close(); // still detecting the protocol or in the TLS handshake
    }
  }

  /** Closes once no stream is active (at once if none is). */
  private static void closeWhenIdle(Channel channel, Http2Connection connection) {
    if (connection.numActiveStreams() == 0) {
      channel.close();
      return;
    }
    connection.addListener(
        new Http2ConnectionAdapter() {
          @Override
          public void onStreamClosed(Http2Stream stream) {
            if (connection.numActiveStreams() == 0) {
              // after the stream's last frame is flushed
              channel.eventLoop().execute(channel::close);
            }
          }
        });
  }

  private DownstreamShutdown() {}
}
