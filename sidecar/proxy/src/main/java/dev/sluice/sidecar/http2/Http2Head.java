package dev.sluice.sidecar.http2;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * A message head read from an HTTP/2 HEADERS frame that keeps the header block it arrived in. Its
 * HTTP/1.x {@code headers()} are converted (by {@link Heads}' rules) when first asked for; until
 * then a hop to another HTTP/2 side reads the block itself ({@link #unconverted}), so the fields
 * are not filled as HTTP/1.x fields only to be converted back. Once converted, those fields are the
 * head's truth (whoever asked may have changed them) and the block is no longer read.
 */
public interface Http2Head {
  /** The block and, once asked for, the converted fields. */
  Fields fields();

  /** The header block as received, pseudo-header fields included. */
  default Http2Headers block() {
    return fields().block;
  }

  /** True once {@code headers()} was asked for. */
  default boolean converted() {
    return fields().converted != null;
  }

  /**
   * The block of {@code head} while its fields are unconverted; null once they are. Readers go
   * through {@link HeadFields}, which answers the same for either kind of head.
   */
  static @Nullable Http2Headers unconverted(HttpMessage head) {
    return head instanceof Http2Head h2 && !h2.converted() ? h2.block() : null;
  }

  /**
   * The regular fields of an unconverted block in the order and form the HTTP/1.x conversion gives
   * them, for a hop to another HTTP/2 side: {@code :authority} as {@code host}, other pseudo-header
   * fields, Netty's {@code x-http2-*} extension fields, {@code transfer-encoding} and {@code
   * trailer} left out; {@code cookie} fields stay separate (RFC 9113 8.2.3 joins them only for a
   * non-HTTP/2 context).
   */
  static Iterator<Map.Entry<CharSequence, CharSequence>> fieldsForHttp2(Http2Headers block) {
    return new BlockFields(block.iterator());
  }

  /** What every kind of head shares: the block, and the fields once converted. */
  final class Fields {
    private final Http2Headers block;
    private final boolean chunked;
    private @Nullable HttpHeaders converted;

    /** {@code chunked}: a head whose body follows without a content-length (marked as chunked). */
    Fields(Http2Headers block, boolean chunked) {
      this.block = block;
      this.chunked = chunked;
    }

    HttpHeaders get() {
      if (converted == null) {
        converted = Heads.fields(block);
        if (chunked) {
          converted.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
      }
      return converted;
    }

    /** What {@code get().get(name)} would give, without converting (cookies excepted). */
    @Nullable String field(AsciiString name) {
      CharSequence value;
      if (HttpHeaderNames.HOST.contentEquals(name)) {
        CharSequence authority = block.authority();
        value = authority != null ? authority : block.get(name);
      } else if (HttpHeaderNames.TRANSFER_ENCODING.contentEquals(name)) {
        value = chunked ? HttpHeaderValues.CHUNKED : null;
      } else if (HttpHeaderNames.COOKIE.contentEquals(name)) {
        return get().get(name); // several cookie fields are joined by the conversion
      } else {
        value = Heads.droppedFromHttp2(name) ? null : block.get(name);
      }
      return value == null ? null : value.toString();
    }
  }

  /** A request head whose body follows. */
  final class Request extends DefaultHttpRequest implements Http2Head {
    private final Fields fields;

    Request(HttpMethod method, String uri, Fields fields) {
      super(HttpVersion.HTTP_1_1, method, uri, EmptyHttpHeaders.INSTANCE);
      this.fields = fields;
    }

    @Override
    public HttpHeaders headers() {
      return fields.get();
    }

    @Override
    public Fields fields() {
      return fields;
    }
  }

  /** A request head whose HEADERS ended the stream. */
  final class FullRequest extends DefaultFullHttpRequest implements Http2Head {
    private final Fields fields;

    FullRequest(HttpMethod method, String uri, ByteBuf content, HttpHeaders trailers, Fields f) {
      super(HttpVersion.HTTP_1_1, method, uri, content, EmptyHttpHeaders.INSTANCE, trailers);
      this.fields = f;
    }

    @Override
    public HttpHeaders headers() {
      return fields.get();
    }

    @Override
    public Fields fields() {
      return fields;
    }
  }

  /** A response head whose body follows. */
  final class Response extends DefaultHttpResponse implements Http2Head {
    private final Fields fields;

    Response(HttpResponseStatus status, Fields fields) {
      super(HttpVersion.HTTP_1_1, status, EmptyHttpHeaders.INSTANCE);
      this.fields = fields;
    }

    @Override
    public HttpHeaders headers() {
      return fields.get();
    }

    @Override
    public Fields fields() {
      return fields;
    }
  }

  /** A response head whose HEADERS ended the stream. */
  final class FullResponse extends DefaultFullHttpResponse implements Http2Head {
    private final Fields fields;

    FullResponse(HttpResponseStatus status, ByteBuf content, HttpHeaders trailers, Fields f) {
      super(HttpVersion.HTTP_1_1, status, content, EmptyHttpHeaders.INSTANCE, trailers);
      this.fields = f;
    }

    @Override
    public HttpHeaders headers() {
      return fields.get();
    }

    @Override
    public Fields fields() {
      return fields;
    }
  }

  /** See {@link #fieldsForHttp2}. */
  final class BlockFields implements Iterator<Map.Entry<CharSequence, CharSequence>> {
    private final Iterator<Map.Entry<CharSequence, CharSequence>> all;
    private Map.@Nullable Entry<CharSequence, CharSequence> next;

    BlockFields(Iterator<Map.Entry<CharSequence, CharSequence>> all) {
      this.all = all;
      advance();
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public Map.Entry<CharSequence, CharSequence> next() {
      Map.Entry<CharSequence, CharSequence> field = next;
      if (field == null) {
        throw new NoSuchElementException();
      }
      advance();
      return field;
    }

    private void advance() {
      next = null;
      while (next == null && all.hasNext()) {
        Map.Entry<CharSequence, CharSequence> field = all.next();
        CharSequence name = field.getKey();
        if (name.length() > 0 && name.charAt(0) == ':') {
          if (Http2Headers.PseudoHeaderName.AUTHORITY.value().contentEquals(name)) {
            next = new AbstractMap.SimpleImmutableEntry<>(HttpHeaderNames.HOST, field.getValue());
          }
        } else if (!Heads.droppedFromHttp2(name)) {
          next = field;
        }
      }
    }
  }
}
