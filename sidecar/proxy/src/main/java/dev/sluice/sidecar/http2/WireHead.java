package dev.sluice.sidecar.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * A message head for an HTTP/2 side whose header block was built directly (by a hop's header rules)
 * and is sent as it is: no HTTP/1.x fields filled only to be converted again. Its {@code headers()}
 * are empty and immutable, so a change meant for the wire fails loudly instead of being lost; the
 * fields are in {@link #block()}. A request's {@code :scheme} is the connection's, set when the
 * head is written.
 */
public interface WireHead {
  /** The header block to send: pseudo-header fields and regular fields, names in lower case. */
  Http2Headers block();

  /** A request whose body follows. */
  static HttpRequest request(HttpMethod method, String uri, Http2Headers block) {
    return new Request(method, uri, block);
  }

  /** A request without a body: its HEADERS end the stream. */
  static FullHttpRequest bodylessRequest(HttpMethod method, String uri, Http2Headers block) {
    return new BodylessRequest(method, uri, block);
  }

  /** A response whose body follows. */
  static HttpResponse response(HttpResponseStatus status, Http2Headers block) {
    return new Response(status, block);
  }

  /** A whole response: the head, then {@code content} and {@code trailers} (ownership passes). */
  static FullHttpResponse fullResponse(
      HttpResponseStatus status, Http2Headers block, ByteBuf content, HttpHeaders trailers) {
    return new FullResponse(status, block, content, trailers);
  }

  /** A request head. */
  final class Request extends DefaultHttpRequest implements WireHead {
    private final Http2Headers block;

    private Request(HttpMethod method, String uri, Http2Headers block) {
      super(HttpVersion.HTTP_1_1, method, uri, EmptyHttpHeaders.INSTANCE);
      this.block = block;
    }

    @Override
    public Http2Headers block() {
      return block;
    }
  }

  /** A request head that ends the stream. */
  final class BodylessRequest extends DefaultFullHttpRequest implements WireHead {
    private final Http2Headers block;

    private BodylessRequest(HttpMethod method, String uri, Http2Headers block) {
      super(
          HttpVersion.HTTP_1_1,
          method,
          uri,
          Unpooled.EMPTY_BUFFER,
          EmptyHttpHeaders.INSTANCE,
          EmptyHttpHeaders.INSTANCE);
      this.block = block;
    }

    @Override
    public Http2Headers block() {
      return block;
    }

    /** Copies and duplicates stay bodyless wire heads with the same block. */
    @Override
    public FullHttpRequest replace(ByteBuf content) {
      boolean empty = !content.isReadable();
      content.release();
      if (!empty) {
        throw new IllegalArgumentException("a bodyless request head cannot take a body");
      }
      return new BodylessRequest(method(), uri(), block);
    }
  }

  /** A response head. */
  final class Response extends DefaultHttpResponse implements WireHead {
    private final Http2Headers block;

    private Response(HttpResponseStatus status, Http2Headers block) {
      super(HttpVersion.HTTP_1_1, status, EmptyHttpHeaders.INSTANCE);
      this.block = block;
    }

    @Override
    public Http2Headers block() {
      return block;
    }
  }

  /** A whole response. */
  final class FullResponse extends DefaultFullHttpResponse implements WireHead {
    private final Http2Headers block;

    private FullResponse(
        HttpResponseStatus status, Http2Headers block, ByteBuf content, HttpHeaders trailers) {
      super(HttpVersion.HTTP_1_1, status, content, EmptyHttpHeaders.INSTANCE, trailers);
      this.block = block;
    }

    @Override
    public Http2Headers block() {
      return block;
    }

    /** Copies and duplicates stay wire heads with the same block, around {@code content}. */
    @Override
    public FullHttpResponse replace(ByteBuf content) {
      return new FullResponse(status(), block, content, trailingHeaders().copy());
    }
  }
}
