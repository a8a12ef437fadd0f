package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.flow.OneMessagePerRead;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http2.Http2Settings;

/** Pipeline configurators for the two downstream protocols. */
final class DownstreamPipelines {
  /** Largest body chunk the HTTP/1.1 decoder hands out (a slice of what the socket read). */
  static final int MAX_CHUNK = 64 * 1024;

  /** Per-stream receive window towards clients: bounds one upload's in-flight bytes. */
  static final int STREAM_WINDOW = 256 * 1024;

  /**
   * HTTP/1.1. Netty's decoder already refuses the request-smuggling shapes (Content-Length with
   * Transfer-Encoding, differing Content-Lengths): they arrive as failed heads and get a 400.
   */
  static void http1(
      ChannelPipeline pipeline, ListenerContext listener, ConnectionTimeouts timeouts) {
    int maxHeaders = listener.config().maxHeaderBytes();
    pipeline
        .addLast(
            "http1-decoder",
            new Http1RequestDecoder(
                new HttpDecoderConfig()
                    .setMaxInitialLineLength(Math.min(maxHeaders, 16 * 1024))
                    .setMaxHeaderSize(maxHeaders)
                    .setMaxChunkSize(MAX_CHUNK),
                timeouts))
        .addLast("http1-encoder", new HttpResponseEncoder())
        // One request object per read: pipelined requests wait until the current one is done.
        .addLast("flow", new OneMessagePerRead())
        .addLast("exchange", new Http1Downstream(listener, timeouts));
  }

  /**
   * HTTP/2 at the frame layer: one connection handler, no channel per stream. Extended CONNECT (RFC
   * 8441) is always offered: SETTINGS go out once per connection and the connection outlives
   * reloads, so whether a rule takes a protocol is answered per request (405 naming the rule).
   */
  static void http2(
      ChannelPipeline pipeline, ListenerContext listener, ConnectionTimeouts timeouts) {
    Http2Downstream.install(
        pipeline,
        listener,
        timeouts,
        Http2Settings.defaultSettings()
            .maxHeaderListSize(listener.config().maxHeaderBytes())
            .initialWindowSize(STREAM_WINDOW)
            .maxConcurrentStreams(listener.config().http2OrDefault().maxConcurrentStreams())
            .connectProtocolEnabled(true));
  }

  private DownstreamPipelines() {}
}
