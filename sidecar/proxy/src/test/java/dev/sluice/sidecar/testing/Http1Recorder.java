package dev.sluice.sidecar.testing;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** HTTP/1.1 side of {@link RecordingUpstream}. */
final class Http1Recorder extends SimpleChannelInboundHandler<HttpObject> {
  private final Function<String, ReceivedRequest> records;
  private ReceivedRequest current;
  private boolean keepAlive;

  private final boolean reuse;

  private Http1Recorder(Function<String, ReceivedRequest> records, boolean reuse) {
    this.records = records;
    this.reuse = reuse;
  }

  static void install(Channel ch, Function<String, ReceivedRequest> records, boolean reuse) {
    ch.pipeline().addLast(new HttpServerCodec()).addLast(new Http1Recorder(records, reuse));
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
    if (msg instanceof HttpRequest request) {
      current = records.apply(request.headers().get(RecordingUpstream.TEST_ID));
      request.headers().forEach(e -> current.header(e.getKey(), e.getValue()));
      current.header(":path", request.uri()); // as an HTTP/2 recording has it

      current.framing(
          HttpUtil.isTransferEncodingChunked(request)
              ? "chunked"
              : HttpUtil.isContentLengthSet(request) ? "content-length" : "none");
      keepAlive = reuse && HttpUtil.isKeepAlive(request);
    }
    if (msg instanceof HttpContent content) {
      current.body(ByteBufUtil.getBytes(content.content()));
      if (content instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()) {
        last.trailingHeaders().forEach(e -> current.header("trailer-" + e.getKey(), e.getValue()));
      }
    }
    if (msg instanceof LastHttpContent) {
      byte[] body = (current.sha256Hex() + "\n").getBytes(StandardCharsets.US_ASCII);
      if (current.header(RecordingUpstream.RESPOND_WITH_TRAILERS) != null) {
        io.netty.handler.codec.http.HttpResponse head =
            new io.netty.handler.codec.http.DefaultHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, keepAlive);
        io.netty.handler.codec.http.LastHttpContent last =
            new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.wrappedBuffer(body));
        last.trailingHeaders().set("x-request-sha256", current.sha256Hex());
        ctx.write(head);
        var written = ctx.writeAndFlush(last);
        if (!keepAlive) {
          written.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
        return;
      }
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      response.headers().set("x-received-bytes", current.bytes());
      HttpUtil.setKeepAlive(response, keepAlive);
      var written = ctx.writeAndFlush(response);
      if (!keepAlive) {
        written.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
      }
    }
  }
}
