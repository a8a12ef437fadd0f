package dev.sluice.sidecar.http2;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one way the proxy reads the fields of a message head, whichever side it came from: an
 * HTTP/1.x head's fields, or an HTTP/2 head's header block while it is unconverted (read in place:
 * never converted just to be read). Every answer is what the head's HTTP/1.x fields would give, so
 * no caller asks which kind of head it holds. Static and allocation-free: it runs on every request.
 */
public final class HeadFields {
  /**
   * A field by its lower-case name ({@code host}: an HTTP/2 head's {@code :authority}, else its
   * {@code host} field); null when absent. Several fields of one name: the first.
   */
  public static @Nullable String get(HttpMessage head, AsciiString name) {
    return unconverted(head) != null
        ? ((Http2Head) head).fields().field(name)
        : head.headers().get(name);
  }

  /**
   * Every value of {@code name}, in order. An unconverted HTTP/2 block holds at most one of the
   * fields the conversion makes up or joins ({@code host}, {@code transfer-encoding}, {@code
   * cookie}) and none of those it drops.
   */
  public static List<String> getAll(HttpMessage head, AsciiString name) {
    Http2Headers block = unconverted(head);
    if (block == null) {
      return head.headers().getAll(name);
    }
    if (HttpHeaderNames.HOST.contentEquals(name)
        || HttpHeaderNames.TRANSFER_ENCODING.contentEquals(name)
        || HttpHeaderNames.COOKIE.contentEquals(name)) {
      String value = get(head, name);
      return value == null ? List.of() : List.of(value);
    }
    if (Heads.droppedFromHttp2(name)) {
      return List.of();
    }
    if (block.get(name) == null) {
      return List.of(); // the usual case, without the list getAll allocates
    }
    return block.getAll(name).stream().map(CharSequence::toString).toList();
  }

  /**
   * True when a body follows with no declared length: HTTP/1.1 {@code chunked}, or an HTTP/2 stream
   * whose DATA frames follow without a {@code content-length}.
   */
  public static boolean chunked(HttpMessage head) {
    return unconverted(head) != null
        ? get(head, HttpHeaderNames.TRANSFER_ENCODING) != null
        : HttpUtil.isTransferEncodingChunked(head);
  }

  /**
   * The regular fields for a hop onward. Bound for HTTP/2 ({@code toHttp2}), an unconverted block
   * is read as it arrived (it holds no connection-specific field: the HPACK decoder refuses them,
   * RFC 9113 8.2.2); anything else is read as HTTP/1.x fields.
   */
  public static Iterator<Map.Entry<CharSequence, CharSequence>> forHop(
      HttpMessage head, boolean toHttp2) {
    Http2Headers block = toHttp2 ? unconverted(head) : null;
    return block != null ? Http2Head.fieldsForHttp2(block) : head.headers().iteratorCharSequence();
  }

  /** How many fields {@link #forHop} gives at most, without converting: a size hint. */
  public static int sizeHint(HttpMessage head, boolean toHttp2) {
    Http2Headers block = toHttp2 ? unconverted(head) : null;
    return block != null ? block.size() : head.headers().size();
  }

  /**
   * Removes every field {@code name} (lower case) of {@code head} and, when {@code value} is not
   * null, adds it once: in the header block while it is unconverted, else in the HTTP/1.x fields.
   * The one way the proxy changes a field of a head it received.
   */
  public static void replace(HttpMessage head, AsciiString name, @Nullable CharSequence value) {
    Http2Headers block = unconverted(head);
    if (block != null) {
      block.remove(name);
      if (value != null) {
        block.add(name, value);
      }
    } else {
      head.headers().remove(name);
      if (value != null) {
        head.headers().add(name, value);
      }
    }
  }

  private static @Nullable Http2Headers unconverted(HttpMessage head) {
    return Http2Head.unconverted(head);
  }

  private HeadFields() {}
}
