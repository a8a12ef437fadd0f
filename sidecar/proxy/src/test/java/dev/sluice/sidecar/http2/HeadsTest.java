package dev.sluice.sidecar.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Invariant: the fast head conversion gives the same heads as Netty's HttpConversionUtil for what a
 * proxy forwards (apart from the extension fields Netty adds only for them to be stripped), and
 * keeps its rules: :authority is host, a conflicting host is a stream error, cookies are joined,
 * connection-specific and x-http2-* fields never cross, te crosses only as trailers.
 */
class HeadsTest {
  private static Http2Headers request() {
    return new DefaultHttp2Headers()
        .method("POST")
        .scheme("https")
        .authority("shop.example:8443")
        .path("/cart?x=1")
        .add("content-type", "application/json")
        .add("cookie", "a=1")
        .add("x-multi", "1")
        .add("cookie", "b=2")
        .add("x-multi", "2")
        .add("x-http2-scheme", "evil")
        .add("trailer", "x-sum");
  }

  @Test
  void anHttp2RequestBecomesTheSameHeadAsNettyMakesIt() throws Exception {
    HttpRequest ours = (HttpRequest) Heads.inbound(true, 3, request(), false, null);
    HttpRequest netty = HttpConversionUtil.toHttpRequest(3, request(), true);
    assertThat(ours.method()).isEqualTo(HttpMethod.POST).isEqualTo(netty.method());
    assertThat(ours.uri()).isEqualTo("/cart?x=1").isEqualTo(netty.uri());
    // Netty joins cookies only when the names are AsciiStrings (as HPACK decodes them); not here
    // and a body without a content-length is marked chunked, as Http2Messages marks Netty's
    assertThat(without(without(fields(ours), "cookie"), "transfer-encoding"))
        .isEqualTo(without(without(fields(netty), "x-http2-"), "cookie"));
    assertThat(ours.headers().getAll("transfer-encoding")).containsExactly("chunked");
    assertThat(ours.headers().get("host")).isEqualTo("shop.example:8443");
    assertThat(ours.headers().getAll("cookie")).containsExactly("a=1; b=2");
    assertThat(ours.headers().getAll("x-multi")).containsExactly("1", "2");
    assertThat(ours.headers().contains("trailer")).isFalse();
  }

  @Test
  void aFieldReadFromTheBlockIsWhatTheConvertedFieldsSay() throws Exception {
    Http2Headers hostOnly = request();
    hostOnly.remove(":authority");
    hostOnly.add("host", "h.example");
    Http2Headers withLength = request().add("content-length", "12");
    Http2Headers sameHost = request().add("host", "shop.example:8443");
    for (Http2Headers block : List.of(request(), hostOnly, withLength, sameHost)) {
      for (boolean full : List.of(false, true)) {
        HttpMessage direct = (HttpMessage) Heads.inbound(true, 3, block, full, null);
        HttpMessage converted = (HttpMessage) Heads.inbound(true, 3, block, full, null);
        for (String name :
            List.of(
                "host",
                "content-length",
                "transfer-encoding",
                "content-type",
                "x-multi",
                "trailer",
                "x-http2-scheme",
                "absent")) {
          assertThat(HeadFields.get(direct, AsciiString.of(name)))
              .as("%s of %s (full %s)", name, list(block), full)
              .isEqualTo(converted.headers().get(name));
          assertThat(HeadFields.getAll(direct, AsciiString.of(name)))
              .as("all %s of %s (full %s)", name, list(block), full)
              .isEqualTo(converted.headers().getAll(name));
        }
        assertThat(HeadFields.chunked(direct))
            .as("chunked of %s (full %s)", list(block), full)
            .isEqualTo(HttpUtil.isTransferEncodingChunked(converted));
        assertThat(Http2Head.unconverted(direct)).as("read without converting").isSameAs(block);
        assertThat(HeadFields.get(direct, AsciiString.of("cookie"))).isEqualTo("a=1; b=2");
      }
    }
  }

  @Test
  void anHttp1HeadIsReadFromItsFieldsWhicheverHopItGoesTo() {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
    head.headers()
        .add("Host", "a.example")
        .add("Transfer-Encoding", "gzip, chunked")
        .add("Connection", "x-a")
        .add("X-Multi", "1")
        .add("x-multi", "2");
    assertThat(HeadFields.get(head, AsciiString.of("host"))).isEqualTo("a.example");
    assertThat(HeadFields.getAll(head, AsciiString.of("x-multi"))).containsExactly("1", "2");
    assertThat(HeadFields.chunked(head)).isTrue();
    for (boolean toHttp2 : List.of(false, true)) {
      List<String> names = new ArrayList<>();
      HeadFields.forHop(head, toHttp2).forEachRemaining(f -> names.add(f.getKey().toString()));
      assertThat(names).as("to HTTP/2: %s", toHttp2).contains("Connection", "Transfer-Encoding");
      assertThat(HeadFields.sizeHint(head, toHttp2)).isEqualTo(5);
    }
  }

  @Test
  void anUnconvertedBlockGoesOnToHttp2AsItCameAndToHttp1AsFields() throws Exception {
    HttpMessage toHttp2 = (HttpMessage) Heads.inbound(true, 3, request(), false, null);
    List<String> names = new ArrayList<>();
    HeadFields.forHop(toHttp2, true).forEachRemaining(f -> names.add(f.getKey().toString()));
    assertThat(names).contains("host", "cookie", "x-multi").doesNotContain("x-http2-scheme");
    assertThat(Http2Head.unconverted(toHttp2)).as("read in place").isNotNull();
    HttpMessage toHttp1 = (HttpMessage) Heads.inbound(true, 3, request(), false, null);
    HeadFields.forHop(toHttp1, false).forEachRemaining(f -> {});
    assertThat(Http2Head.unconverted(toHttp1)).as("read as HTTP/1.x fields").isNull();
  }

  @Test
  void onlyExtensionFieldsFramingAndTrailerAreDroppedFromHttp2() {
    for (String dropped : List.of("x-http2-scheme", "x-http2-", "transfer-encoding", "trailer")) {
      assertThat(Heads.droppedFromHttp2(dropped)).as(dropped).isTrue();
    }
    for (String kept :
        List.of(
            "", "x", "x-http2", "x-forwarded-for", "te", "trailers", "transfer-encodings", "via")) {
      assertThat(Heads.droppedFromHttp2(kept)).as(kept).isFalse();
    }
  }

  @Test
  void aBodylessRequestOrResponseIsFullWithNothingInIt() throws Exception {
    FullHttpRequest request =
        (FullHttpRequest)
            Heads.inbound(true, 1, request().method("GET"), true, UnpooledByteBufAllocator.DEFAULT);
    assertThat(request.content().readableBytes()).isZero();
    assertThat(request.trailingHeaders().isEmpty()).isTrue();
    // shared empty trailers: a copy of the message is what takes changes
    assertThat(request.copy().trailingHeaders().add("x-sum", "1").get("x-sum")).isEqualTo("1");
    FullHttpResponse response =
        (FullHttpResponse)
            Heads.inbound(
                false,
                1,
                new DefaultHttp2Headers().status("204").add("x-a", "b"),
                true,
                UnpooledByteBufAllocator.DEFAULT);
    assertThat(response.status()).isEqualTo(HttpResponseStatus.NO_CONTENT);
    assertThat(response.headers().get("x-a")).isEqualTo("b");
  }

  @Test
  void aHostThatDisagreesWithTheAuthorityIsAStreamError() throws Exception {
    Http2Headers conflicting = request().add("host", "other.example");
    assertThatThrownBy(() -> Heads.inbound(true, 5, conflicting, false, null))
        .isInstanceOf(Http2Exception.StreamException.class)
        .hasMessageContaining("Conflicting ':authority' and 'host'")
        .satisfies(
            e -> assertThat(((Http2Exception) e).error()).isEqualTo(Http2Error.PROTOCOL_ERROR));
    Http2Headers same = request().add("host", "SHOP.example:8443");
    assertThat(((HttpRequest) Heads.inbound(true, 5, same, false, null)).headers().getAll("host"))
        .containsExactly("shop.example:8443");
    Http2Headers hostOnly = request();
    hostOnly.remove(":authority");
    hostOnly.add("host", "h.example");
    assertThat(((HttpRequest) Heads.inbound(true, 5, hostOnly, false, null)).headers().get("host"))
        .isEqualTo("h.example");
  }

  @Test
  void connectAndOddStatusesGoThroughNettysConversion() throws Exception {
    Http2Headers connect = new DefaultHttp2Headers().method("CONNECT").authority("db:5432");
    HttpRequest tunnel = (HttpRequest) Heads.inbound(true, 7, connect, false, null);
    assertThat(tunnel.method()).isEqualTo(HttpMethod.CONNECT);
    assertThat(tunnel.uri()).isEqualTo("db:5432");
    HttpResponse custom =
        (HttpResponse)
            Heads.inbound(false, 7, new DefaultHttp2Headers().status("299"), false, null);
    assertThat(custom.status().code()).isEqualTo(299);
    assertThatThrownBy(
            () -> Heads.inbound(false, 7, new DefaultHttp2Headers().status("2x0"), false, null))
        .isInstanceOf(Http2Exception.class);
  }

  @Test
  void anHttp1RequestBecomesTheSameHeaderBlockAsNettyMakesIt() {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a/b?c=d");
    head.headers()
        .add("Host", "api.example")
        .add("Content-Type", "text/plain")
        .add("X-Forwarded-For", "10.0.0.1")
        .add("TE", "gzip, trailers")
        .add("Transfer-Encoding", "chunked")
        .add("Upgrade", "h2c")
        .add("Keep-Alive", "timeout=5")
        .add("x-http2-stream-id", "9");
    Http2Headers ours = Heads.outbound(head, "http");
    head.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "http");
    Http2Headers netty = HttpConversionUtil.toHttp2Headers(head, true);
    assertThat(list(ours)).isEqualTo(list(netty));
    assertThat(ours.authority().toString()).isEqualTo("api.example");
    assertThat(ours.get("te").toString()).isEqualTo("trailers");
    head.headers().set("TE", "gzip, trailers;q=1"); // a parameter does not hide the token
    assertThat(Heads.outbound(head, "http").get("te").toString()).isEqualTo("trailers");
    head.headers().set("TE", "gzip");
    assertThat(Heads.outbound(head, "http").contains("te")).isFalse();
    assertThat(ours.get("content-type").toString()).isEqualTo("text/plain");
    assertThat(ours.contains("host")).isFalse();
  }

  @Test
  void aResponseAndOtherTargetFormsMatchNettyToo() {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers().add("Content-Length", "5").add("Connection", "x-hop").add("X-Hop", "1");
    assertThat(list(Heads.outbound(response, null)))
        .isEqualTo(list(HttpConversionUtil.toHttp2Headers(response, true)))
        .noneMatch(field -> field.startsWith("x-hop") || field.startsWith("connection"));
    HttpRequest absolute =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://b.example/p?q");
    absolute.headers().add("Host", "a.example");
    Http2Headers ours = Heads.outbound(absolute, "http");
    assertThat(ours.path().toString()).isEqualTo("/p?q");
    assertThat(ours.authority().toString()).isEqualTo("b.example");
  }

  private static List<String> fields(HttpMessage message) {
    List<String> out = new ArrayList<>();
    message.headers().forEach(e -> out.add(e.getKey().toLowerCase() + ": " + e.getValue()));
    return out;
  }

  private static List<String> without(List<String> fields, String prefix) {
    return fields.stream().filter(f -> !f.startsWith(prefix)).toList();
  }

  private static List<String> list(Http2Headers headers) {
    List<String> out = new ArrayList<>();
    headers.forEach(e -> out.add(e.getKey() + ": " + e.getValue()));
    out.sort(null); // pseudo-header order differs and does not matter
    return out;
  }
}
