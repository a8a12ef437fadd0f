package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.flow.OneMessagePerRead;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

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
  static void http1(ChannelPipeline pipeline, ListenerContext listener) {
    int maxHeaders = listener.config().maxHeaderBytes();
    pipeline
        .addLast(
            "http1-decoder",
            new HttpRequestDecoder(
                new HttpDecoderConfig()
                    .setMaxInitialLineLength(Math.min(maxHeaders, 16 * 1024))
                    .setMaxHeaderSize(maxHeaders)
                    .setMaxChunkSize(MAX_CHUNK)))
        .addLast("http1-encoder", new HttpResponseEncoder())
        // One request object per read: pipelined requests wait until the current one is done.
        .addLast("flow", new OneMessagePerRead())
        .addLast("exchange", new DownstreamRequestHandler(listener, false));
  }

  static void http2(ChannelPipeline pipeline, ListenerContext listener) {
    pipeline
        .addLast(
            "h2",
            Http2FrameCodecBuilder.forServer()
                .initialSettings(
                    Http2Settings.defaultSettings()
                        .maxHeaderListSize(listener.config().maxHeaderBytes())
                        .initialWindowSize(STREAM_WINDOW)
                        .maxConcurrentStreams(1000))
                .validateHeaders(true)
                .build())
        .addLast(
            "h2-multiplex",
            new Http2MultiplexHandler(
                new ChannelInitializer<Http2StreamChannel>() {
                  @Override
                  protected void initChannel(Http2StreamChannel stream) {
                    stream.config().setOption(ChannelOption.AUTO_READ, false);
                    // Streams allocate like their connection (copies, local answers).
                    stream.config().setAllocator(stream.parent().alloc());
                    stream
                        .pipeline()
                        .addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(true))
                        .addLast("exchange", new DownstreamRequestHandler(listener, true));
                  }
                }));
  }

  private DownstreamPipelines() {}
}
