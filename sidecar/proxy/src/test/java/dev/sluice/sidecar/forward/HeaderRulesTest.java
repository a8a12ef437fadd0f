package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sidecar.http2.Http2Messages;
import dev.sluice.sidecar.http2.WireHead;
import dev.sluice.sidecar.trace.ExchangeTrace;
import dev.sluice.sidecar.trace.TraceDecision;
import dev.sluice.sidecar.trace.TraceSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Invariant: a hop's header rules are the same whichever protocols the two sides speak. Hop-by-hop
 * fields (RFC 9110 7.6.1, and every name the Connection field lists) never cross; {@code Via} is
 * appended; {@code X-Forwarded-For} gets the client's address appended to the first value; {@code
 * X-Forwarded-Proto} is replaced; {@code te: trailers} crosses only to HTTP/2. What an HTTP/2 side
 * gets is checked in the header block the HTTP/2 encoder is handed.
 */
class HeaderRulesTest {
  private static final String CLIENT = "192.0.2.7";

  private static HttpRequest h1Post(HttpHeaders extra) {
    HttpHeaders headers =
        new DefaultHttpHeaders()
            .add("Host", "shop.example:8443")
            // A sender of TE lists it in Connection (RFC 9110 10.1.4): te: trailers still counts.
            .add("Connection", "keep-alive, X-Custom-Hop, TE")
            .add("X-CUSTOM-hop", "1") // listed in another case: still hop-by-hop
            .add("Keep-Alive", "timeout=5")
            .add("Proxy-Authorization", "Basic c2VjcmV0")
            .add("PROXY-CONNECTION", "keep-alive")
            .add("TE", "trailers, deflate")
            .add("Upgrade", "h2c")
            .add("Expect", "100-continue")
            .add("Transfer-Encoding", "chunked")
            .add("X-Forwarded-For", "10.0.0.1")
            .add("X-Forwarded-For", "10.0.0.2")
            .add("X-Forwarded-Proto", "ftp")
            .add("Via", "1.0 edge")
            .add("x-http2-scheme", "evil")
            .add("Content-Type", "text/plain")
            .add("Cookie", "a=1; b=2")
            .add(extra);
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/cart?x=1", headers);
  }

  /** Regular fields of what a side is sent, names in lower case, in order. */
  static List<String> fields(HttpMessage head, boolean http2, String scheme) {
    List<String> out = new ArrayList<>();
    if (http2) {
      for (Map.Entry<CharSequence, CharSequence> field : Http2Messages.headerBlock(head, scheme)) {
        if (field.getKey().charAt(0) != ':') {
          out.add(field.getKey() + ": " + field.getValue());
        }
      }
    } else {
      head.headers()
          .forEach(e -> out.add(e.getKey().toLowerCase(Locale.ROOT) + ": " + e.getValue()));
    }
    return out;
  }

  static List<String> named(List<String> fields, String name) {
    return fields.stream().filter(f -> f.startsWith(name + ": ")).toList();
  }

  @Test
  void hopByHopFieldsNeverCrossAndForwardingFieldsAreAddedForEveryUpstream() {
    for (boolean downstreamHttp2 : new boolean[] {false, true}) {
      for (boolean upstreamHttp2 : new boolean[] {false, true}) {
        HttpRequest out =
            HeaderRules.requestForUpstream(
                h1Post(new DefaultHttpHeaders()),
                false,
                upstreamHttp2,
                downstreamHttp2,
                CLIENT,
                "https",
                ExchangeTrace.NONE);
        List<String> fields = fields(out, upstreamHttp2, "http");
        String pair = (downstreamHttp2 ? "h2" : "h1") + " -> " + (upstreamHttp2 ? "h2" : "h1");
        for (String hop :
            List.of(
                "connection",
                "keep-alive",
                "x-custom-hop",
                "proxy-authorization",
                "proxy-connection",
                "upgrade",
                "expect",
                "x-http2-scheme")) {
          assertThat(named(fields, hop)).as("%s: %s", pair, hop).isEmpty();
        }
        assertThat(named(fields, "via"))
            .as(pair)
            .containsExactly(
                "via: 1.0 edge", "via: " + (downstreamHttp2 ? "2.0" : "1.1") + " sluice");
        assertThat(named(fields, "x-forwarded-for"))
            .as(pair)
            .containsExactly("x-forwarded-for: 10.0.0.1, " + CLIENT);
        assertThat(named(fields, "x-forwarded-proto"))
            .as(pair)
            .containsExactly("x-forwarded-proto: https");
        assertThat(named(fields, "content-type"))
            .as(pair)
            .containsExactly("content-type: text/plain");
        assertThat(named(fields, "cookie")).as(pair).containsExactly("cookie: a=1; b=2");
        assertThat(out.method()).isEqualTo(HttpMethod.POST);
        assertThat(out.uri()).isEqualTo("/cart?x=1");
        if (upstreamHttp2) {
          assertThat(named(fields, "te")).as(pair).containsExactly("te: trailers");
          assertThat(named(fields, "host")).as(pair).isEmpty();
          assertThat(named(fields, "transfer-encoding")).as(pair).isEmpty();
          Http2Headers block = Http2Messages.headerBlock(out, "http");
          assertThat(block.method().toString()).isEqualTo("POST");
          assertThat(block.path().toString()).isEqualTo("/cart?x=1");
          assertThat(block.scheme().toString()).isEqualTo("http");
          assertThat(block.authority().toString()).isEqualTo("shop.example:8443");
        } else {
          assertThat(named(fields, "te")).as(pair).isEmpty();
          assertThat(named(fields, "host")).as(pair).containsExactly("host: shop.example:8443");
          assertThat(named(fields, "transfer-encoding"))
              .as("%s: a body of unknown length is chunked", pair)
              .containsExactly("transfer-encoding: chunked");
        }
      }
    }
  }

  @Test
  void aHeadBoundForHttp2IsItsHeaderBlockAndNothingElse() {
    HttpRequest request =
        HeaderRules.requestForUpstream(
            h1Post(new DefaultHttpHeaders()),
            false,
            true,
            false,
            CLIENT,
            "http",
            ExchangeTrace.NONE);
    HttpResponse response =
        HeaderRules.responseForDownstream(h1Response(), false, true, HttpMethod.GET, true);
    for (HttpMessage head : List.of(request, response)) {
      assertThat(head).isInstanceOf(WireHead.class);
      assertThat(head.headers().isEmpty()).as("no HTTP/1.x fields filled on the way").isTrue();
      assertThatThrownBy(() -> head.headers().set("x-late", "1"))
          .as("a change meant for the wire cannot be lost silently")
          .isInstanceOf(UnsupportedOperationException.class);
      assertThat(Http2Messages.headerBlock(head, "http"))
          .as("sent as built")
          .isSameAs(((WireHead) head).block());
    }
    HttpRequest bodyless =
        HeaderRules.requestForUpstream(
            h1Post(new DefaultHttpHeaders()),
            true,
            true,
            false,
            CLIENT,
            "http",
            ExchangeTrace.NONE);
    assertThat(bodyless).isInstanceOf(WireHead.class).isInstanceOf(FullHttpMessage.class);
    assertThat(((FullHttpMessage) bodyless).copy())
        .as("a copy is still the same wire head")
        .isInstanceOf(WireHead.class);
  }

  @Test
  void withoutAClientAddressForwardedForIsLeftAsItCame() {
    for (boolean upstreamHttp2 : new boolean[] {false, true}) {
      HttpRequest out =
          HeaderRules.requestForUpstream(
              h1Post(new DefaultHttpHeaders()),
              false,
              upstreamHttp2,
              false,
              null,
              "http",
              ExchangeTrace.NONE);
      assertThat(named(fields(out, upstreamHttp2, "http"), "x-forwarded-for"))
          .containsExactly("x-forwarded-for: 10.0.0.1", "x-forwarded-for: 10.0.0.2");
    }
  }

  @Test
  void aBodylessRequestIsSentWholeWithALengthOnlyWhereTheMethodExpectsABody() {
    for (boolean upstreamHttp2 : new boolean[] {false, true}) {
      for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.GET)) {
        HttpHeaders headers =
            new DefaultHttpHeaders().add("Host", "a.example").add("Content-Length", "0");
        HttpRequest in =
            new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                method,
                "/",
                Unpooled.EMPTY_BUFFER,
                headers,
                new DefaultHttpHeaders());
        HttpRequest out =
            HeaderRules.requestForUpstream(
                in, true, upstreamHttp2, upstreamHttp2, CLIENT, "http", ExchangeTrace.NONE);
        assertThat(out).as("%s sent as a full message", method).isInstanceOf(FullHttpMessage.class);
        assertThat(((FullHttpMessage) out).content().readableBytes()).isZero();
        assertThat(named(fields(out, upstreamHttp2, "http"), "content-length"))
            .as("%s to %s", method, upstreamHttp2 ? "h2" : "h1")
            .isEqualTo(method == HttpMethod.POST ? List.of("content-length: 0") : List.of());
        assertThat(named(fields(out, upstreamHttp2, "http"), "transfer-encoding")).isEmpty();
      }
    }
  }

  @Test
  void aRequestWithALengthKeepsIt() {
    for (boolean upstreamHttp2 : new boolean[] {false, true}) {
      HttpRequest out =
          HeaderRules.requestForUpstream(
              h1Post(new DefaultHttpHeaders().add("Content-Length", "12")),
              false,
              upstreamHttp2,
              false,
              CLIENT,
              "http",
              ExchangeTrace.NONE);
      List<String> fields = fields(out, upstreamHttp2, "http");
      assertThat(named(fields, "content-length")).containsExactly("content-length: 12");
      assertThat(named(fields, "transfer-encoding")).isEmpty();
    }
  }

  @Test
  void anAbsoluteFormTargetReachesAnHttp2UpstreamAsItsPseudoHeaders() {
    HttpRequest in =
        new DefaultHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.GET,
            "http://other.example:81/p?q",
            new DefaultHttpHeaders().add("Host", "other.example:81").add("Accept", "*/*"));
    HttpRequest out =
        HeaderRules.requestForUpstream(in, true, true, false, CLIENT, "http", ExchangeTrace.NONE);
    Http2Headers block = Http2Messages.headerBlock(out, "http");
    assertThat(block.path().toString()).isEqualTo("/p?q");
    assertThat(block.authority().toString()).isEqualTo("other.example:81");
    assertThat(block.get("accept").toString()).isEqualTo("*/*");
    assertThat(block.get("via").toString()).isEqualTo("1.1 sluice");
  }

  private static HttpResponse h1Response() {
    return new DefaultHttpResponse(
        HttpVersion.HTTP_1_1,
        HttpResponseStatus.CREATED,
        new DefaultHttpHeaders()
            .add("Server", "app")
            .add("Connection", "keep-alive, X-Hop")
            .add("X-Hop", "1")
            .add("Keep-Alive", "timeout=5")
            .add("Proxy-Authenticate", "Basic")
            .add("Transfer-Encoding", "chunked")
            .add("Upgrade", "h2c")
            .add("Set-Cookie", "a=1")
            .add("Set-Cookie", "b=2")
            .add("Via", "1.1 app"));
  }

  @Test
  void responseHopByHopFieldsNeverCrossAndViaIsAppended() {
    for (boolean upstreamHttp2 : new boolean[] {false, true}) {
      for (boolean downstreamHttp2 : new boolean[] {false, true}) {
        HttpResponse out =
            HeaderRules.responseForDownstream(
                h1Response(), upstreamHttp2, downstreamHttp2, HttpMethod.GET, true);
        List<String> fields = fields(out, downstreamHttp2, null);
        String pair = (upstreamHttp2 ? "h2" : "h1") + " -> " + (downstreamHttp2 ? "h2" : "h1");
        assertThat(out.status()).isEqualTo(HttpResponseStatus.CREATED);
        for (String hop :
            List.of("connection", "x-hop", "keep-alive", "proxy-authenticate", "upgrade")) {
          assertThat(named(fields, hop)).as("%s: %s", pair, hop).isEmpty();
        }
        assertThat(named(fields, "server")).as(pair).containsExactly("server: app");
        assertThat(named(fields, "set-cookie"))
            .as(pair)
            .containsExactly("set-cookie: a=1", "set-cookie: b=2");
        assertThat(named(fields, "via"))
            .as(pair)
            .containsExactly("via: 1.1 app", "via: " + (upstreamHttp2 ? "2.0" : "1.1") + " sluice");
        if (downstreamHttp2) {
          assertThat(Http2Messages.headerBlock(out, null).status().toString()).isEqualTo("201");
          assertThat(named(fields, "transfer-encoding")).as(pair).isEmpty();
        } else {
          assertThat(named(fields, "transfer-encoding"))
              .as("%s: a body of unknown length is chunked", pair)
              .containsExactly("transfer-encoding: chunked");
        }
      }
    }
  }

  @Test
  void anHttp11ClientIsToldWhenItsConnectionCloses() {
    HttpResponse out =
        HeaderRules.responseForDownstream(h1Response(), false, false, HttpMethod.GET, false);
    assertThat(named(fields(out, false, null), "connection")).containsExactly("connection: close");
  }

  @Test
  void aWholeResponseKeepsItsBodyBufferAndTrailersForEitherClient() {
    for (boolean downstreamHttp2 : new boolean[] {false, true}) {
      ByteBuf body = Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII);
      FullHttpResponse in =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.OK,
              body,
              new DefaultHttpHeaders().add("content-type", "text/plain"),
              new DefaultHttpHeaders().add("x-sum", "42"));
      HttpResponse out =
          HeaderRules.responseForDownstream(in, true, downstreamHttp2, HttpMethod.GET, true);
      try {
        assertThat(out).isInstanceOf(FullHttpResponse.class);
        FullHttpResponse full = (FullHttpResponse) out;
        assertThat(full.content()).as("the same buffer, not a copy").isSameAs(body);
        assertThat(full.trailingHeaders().get("x-sum")).isEqualTo("42");
        List<String> fields = fields(out, downstreamHttp2, null);
        assertThat(named(fields, "content-type")).containsExactly("content-type: text/plain");
        if (!downstreamHttp2) {
          assertThat(named(fields, "content-length")).containsExactly("content-length: 5");
        }
      } finally {
        body.release();
      }
    }
  }

  @Test
  void aHeadAnswerOrABodylessStatusGetsNoFraming() {
    HttpResponse noContent =
        new DefaultHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT, new DefaultHttpHeaders());
    assertThat(
            named(
                fields(
                    HeaderRules.responseForDownstream(
                        noContent, false, false, HttpMethod.GET, true),
                    false,
                    null),
                "transfer-encoding"))
        .isEmpty();
    assertThat(
            named(
                fields(
                    HeaderRules.responseForDownstream(
                        h1Response(), false, false, HttpMethod.HEAD, true),
                    false,
                    null),
                "transfer-encoding"))
        .isEmpty();
  }

  @Test
  void traceContextIsReplacedOrDroppedOnlyAsTheExchangesTraceSays() {
    String caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    HttpHeaders trace =
        new DefaultHttpHeaders().add("TraceParent", caller).add("tracestate", "congo=t61rcWkgMzE");
    ExchangeTrace continued =
        TraceDecision.decide(List.of(caller), TraceSettings.DEFAULT, true); // a span of ours
    ExchangeTrace restarted =
        TraceDecision.decide(List.of("00-bogus"), TraceSettings.DEFAULT, false);
    for (boolean upstreamHttp2 : new boolean[] {false, true}) {
      String side = upstreamHttp2 ? "h2" : "h1";
      List<String> passed =
          fields(
              HeaderRules.requestForUpstream(
                  h1Post(trace), false, upstreamHttp2, false, CLIENT, "http", ExchangeTrace.NONE),
              upstreamHttp2,
              "http");
      assertThat(named(passed, "traceparent")).as(side).containsExactly("traceparent: " + caller);
      assertThat(named(passed, "tracestate"))
          .as(side)
          .containsExactly("tracestate: congo=t61rcWkgMzE");

      List<String> child =
          fields(
              HeaderRules.requestForUpstream(
                  h1Post(trace), false, upstreamHttp2, false, CLIENT, "http", continued),
              upstreamHttp2,
              "http");
      assertThat(named(child, "traceparent"))
          .as(side)
          .containsExactly("traceparent: " + continued.outgoing());
      assertThat(named(child, "tracestate"))
          .as("%s: the trace goes on, and so does its state", side)
          .containsExactly("tracestate: congo=t61rcWkgMzE");

      List<String> fresh =
          fields(
              HeaderRules.requestForUpstream(
                  h1Post(trace), false, upstreamHttp2, false, CLIENT, "http", restarted),
              upstreamHttp2,
              "http");
      assertThat(named(fresh, "traceparent"))
          .as(side)
          .containsExactly("traceparent: " + restarted.outgoing());
      assertThat(named(fresh, "tracestate")).as("%s: another trace's state", side).isEmpty();
    }
  }
}
