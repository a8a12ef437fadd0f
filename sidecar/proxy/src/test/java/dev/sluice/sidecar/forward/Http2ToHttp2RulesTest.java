package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.http2.Http2Head;
import dev.sluice.sidecar.http2.Http2Messages;
import dev.sluice.sidecar.trace.ExchangeTrace;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Invariant: a head read from HTTP/2 and going on to HTTP/2 is read from its header block, with the
 * result the HTTP/1.x conversion would give (cookie fields stay separate, as RFC 9113 8.2.3
 * allows), and without converting it; a head whose fields someone asked for (and may have changed)
 * goes by those fields.
 */
class Http2ToHttp2RulesTest {
  private static final String CLIENT = "192.0.2.7";

  private static Http2Headers requestBlock() {
    return new DefaultHttp2Headers()
        .method("POST")
        .scheme("https")
        .authority("shop.example:8443")
        .path("/cart?x=1")
        .add("host", "shop.example:8443")
        .add("te", "trailers")
        .add("proxy-authorization", "Basic c2VjcmV0")
        .add("expect", "100-continue")
        .add("x-forwarded-for", "10.0.0.1")
        .add("x-forwarded-for", "10.0.0.2")
        .add("x-forwarded-proto", "ftp")
        .add("via", "2.0 edge")
        .add("x-http2-scheme", "evil")
        .add("content-type", "text/plain")
        .add("cookie", "a=1")
        .add("trailer", "x-sum")
        .add("cookie", "b=2")
        .add("content-length", "5");
  }

  private static Http2Headers responseBlock() {
    return new DefaultHttp2Headers()
        .status("200")
        .add("content-type", "text/plain")
        .add("proxy-authenticate", "Basic")
        .add("host", "upstream.example")
        .add("set-cookie", "s=1")
        .add("set-cookie", "t=2")
        .add("x-http2-stream-id", "9")
        .add("content-length", "5");
  }

  private static HttpMessage read(boolean request, Http2Headers block) throws Http2Exception {
    return (HttpMessage)
        Http2Messages.inbound(request, 3, block, false, UnpooledByteBufAllocator.DEFAULT);
  }

  @Test
  void aRequestGoesOnFromItsBlockAsItsConvertedFieldsWould() throws Exception {
    HttpRequest direct = (HttpRequest) read(true, requestBlock());
    HttpRequest converted = (HttpRequest) read(true, requestBlock());
    converted.headers(); // asked for: converted
    assertThat(Http2Head.unconverted(converted)).isNull();

    HttpRequest fromBlock =
        HeaderRules.requestForUpstream(
            direct, false, true, true, CLIENT, "https", ExchangeTrace.NONE);
    HttpRequest fromFields =
        HeaderRules.requestForUpstream(
            converted, false, true, true, CLIENT, "https", ExchangeTrace.NONE);

    assertThat(Http2Head.unconverted(direct)).as("the rules did not convert it").isNotNull();
    assertThat(cookiesJoined(sent(fromBlock))).isEqualTo(sent(fromFields));
    assertThat(sent(fromBlock))
        .contains(
            ":authority: shop.example:8443",
            "cookie: a=1",
            "cookie: b=2",
            "te: trailers",
            "x-forwarded-for: 10.0.0.1, " + CLIENT,
            "x-forwarded-proto: https",
            "content-length: 5")
        .noneMatch(f -> f.startsWith("proxy-authorization") || f.startsWith("expect"))
        .noneMatch(f -> f.startsWith("x-http2-") || f.startsWith("trailer:"))
        .noneMatch(f -> f.startsWith("host:"));
  }

  @Test
  void aResponseGoesOnFromItsBlockAsItsConvertedFieldsWould() throws Exception {
    HttpResponse direct = (HttpResponse) read(false, responseBlock());
    HttpResponse converted = (HttpResponse) read(false, responseBlock());
    converted.headers();

    HttpResponse fromBlock =
        HeaderRules.responseForDownstream(direct, true, true, HttpMethod.GET, true);
    HttpResponse fromFields =
        HeaderRules.responseForDownstream(converted, true, true, HttpMethod.GET, true);

    assertThat(Http2Head.unconverted(direct)).isNotNull();
    assertThat(sent(fromBlock))
        .isEqualTo(sent(fromFields))
        .containsSubsequence(
            ":status: 200",
            "content-type: text/plain",
            "set-cookie: s=1",
            "set-cookie: t=2",
            "content-length: 5",
            "via: 2.0 sluice")
        .noneMatch(f -> f.startsWith("proxy-authenticate") || f.startsWith("host:"))
        .noneMatch(f -> f.startsWith("x-http2-"));
  }

  @Test
  void aHeadWhoseFieldsWereChangedGoesByTheChangedFields() throws Exception {
    HttpRequest changed = (HttpRequest) read(true, requestBlock());
    changed.headers().set("content-type", "application/json").add("x-added", "1");
    changed.headers().remove("cookie");

    List<String> sent =
        sent(
            HeaderRules.requestForUpstream(
                changed, false, true, true, CLIENT, "https", ExchangeTrace.NONE));

    assertThat(sent)
        .contains("content-type: application/json", "x-added: 1")
        .noneMatch(f -> f.startsWith("cookie") || f.equals("content-type: text/plain"));
  }

  @Test
  void aRequestFromHttp2ToHttp11GetsItsCookiesJoined() throws Exception {
    HttpRequest request = (HttpRequest) read(true, requestBlock());

    HttpRequest out =
        HeaderRules.requestForUpstream(
            request, false, false, true, CLIENT, "http", ExchangeTrace.NONE);

    assertThat(out.headers().getAll("cookie")).containsExactly("a=1; b=2");
    assertThat(out.headers().get("host")).isEqualTo("shop.example:8443");
  }

  @Test
  void anHttp2RequestIsBodylessByItsEndStreamOrAZeroLength() throws Exception {
    assertThat(RequestFraming.bodyless((HttpRequest) read(true, requestBlock()))).isFalse();
    Http2Headers zero = requestBlock();
    zero.set("content-length", "0");
    assertThat(RequestFraming.bodyless((HttpRequest) read(true, zero))).isTrue();
    Http2Headers unknown = requestBlock();
    unknown.remove("content-length");
    HttpRequest chunked = (HttpRequest) read(true, unknown);
    assertThat(RequestFraming.bodyless(chunked)).isFalse();
    assertThat(Http2Head.unconverted(chunked)).isNotNull();
    assertThat(chunked.headers().get("transfer-encoding")).isEqualTo("chunked");
    HttpRequest ended =
        (HttpRequest)
            Http2Messages.inbound(
                true, 5, requestBlock().method("GET"), true, UnpooledByteBufAllocator.DEFAULT);
    assertThat(RequestFraming.bodyless(ended)).isTrue();
  }

  /** Every field of the header block a head is sent as, in order. */
  private static List<String> sent(HttpMessage head) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<CharSequence, CharSequence> field : Http2Messages.headerBlock(head, "https")) {
      out.add(field.getKey() + ": " + field.getValue());
    }
    return out;
  }

  /**
   * {@code fields} as the conversion orders them: cookie fields joined into one (RFC 9113 8.2.3)
   * after the other regular fields of the incoming head, that is before what the rules append.
   */
  private static List<String> cookiesJoined(List<String> fields) {
    List<String> out = new ArrayList<>();
    List<String> cookies = new ArrayList<>();
    for (String field : fields) {
      if (field.startsWith("cookie: ")) {
        cookies.add(field.substring("cookie: ".length()));
      } else {
        out.add(field);
      }
    }
    int appended = out.indexOf("content-length: 5") + 1; // the incoming head's last field
    out.add(appended, "cookie: " + String.join("; ", cookies));
    return out;
  }
}
