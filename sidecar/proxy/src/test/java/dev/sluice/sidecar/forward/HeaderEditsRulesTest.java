package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.HeaderModifier;
import dev.sluice.sidecar.filters.HeaderEdits;
import dev.sluice.sidecar.http2.Http2Messages;
import dev.sluice.sidecar.trace.ExchangeTrace;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A rule's header modifiers and rewrite in the one pass that writes an outgoing head, for every
 * pair of protocols: set replaces every field of its name (any case), add appends after the kept
 * ones, remove drops every one, the sidecar's own fields (Via, X-Forwarded-*) included; the
 * rewritten target and host are what the upstream gets; trailers are never touched.
 */
class HeaderEditsRulesTest {
  private static final HeaderEdits REQUEST =
      HeaderEdits.of(
          new HeaderModifier(
              List.of(
                  new HeaderModifier.Field("X-Env", "prod"),
                  new HeaderModifier.Field("x-forwarded-proto", "https")),
              List.of(new HeaderModifier.Field("X-Tag", "from-rule")),
              List.of("x-debug", "VIA")));

  private static HttpRequest request() {
    HttpHeaders headers =
        new DefaultHttpHeaders()
            .add("Host", "shop.example:8443")
            .add("x-env", "dev")
            .add("X-ENV", "staging")
            .add("x-tag", "from-client")
            .add("X-Debug", "1")
            .add("Via", "1.0 edge")
            .add("Content-Length", "3");
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload?x=1", headers);
  }

  private static List<String> fields(HttpMessage head, boolean http2) {
    return HeaderRulesTest.fields(head, http2, "http");
  }

  private static List<String> named(List<String> fields, String name) {
    return HeaderRulesTest.named(fields, name);
  }

  @Test
  void theModifiersAndTheRewriteShapeTheRequestSentUpstream() {
    for (boolean downstreamHttp2 : new boolean[] {false, true}) {
      for (boolean upstreamHttp2 : new boolean[] {false, true}) {
        HttpRequest out =
            HeaderRules.requestForUpstream(
                request(),
                false,
                upstreamHttp2,
                downstreamHttp2,
                "192.0.2.7",
                "http",
                ExchangeTrace.NONE,
                "/v2/upload?x=1",
                "backend.internal",
                REQUEST);
        List<String> fields = fields(out, upstreamHttp2);
        String pair = (downstreamHttp2 ? "h2" : "h1") + " -> " + (upstreamHttp2 ? "h2" : "h1");
        assertThat(named(fields, "x-env")).as(pair).containsExactly("x-env: prod");
        assertThat(named(fields, "x-tag"))
            .as(pair)
            .containsExactly("x-tag: from-client", "x-tag: from-rule");
        assertThat(named(fields, "x-debug")).as(pair).isEmpty();
        assertThat(named(fields, "via")).as("%s: removed, ours too", pair).isEmpty();
        assertThat(named(fields, "x-forwarded-proto"))
            .as("%s: set replaces ours", pair)
            .containsExactly("x-forwarded-proto: https");
        assertThat(named(fields, "x-forwarded-for"))
            .as(pair)
            .containsExactly("x-forwarded-for: 192.0.2.7");
        assertThat(named(fields, "content-length")).as(pair).containsExactly("content-length: 3");
        assertThat(out.uri()).as(pair).isEqualTo("/v2/upload?x=1");
        if (upstreamHttp2) {
          Http2Headers block = Http2Messages.headerBlock(out, "http");
          assertThat(block.path().toString()).as(pair).isEqualTo("/v2/upload?x=1");
          assertThat(block.authority().toString()).as(pair).isEqualTo("backend.internal");
          assertThat(named(fields, "host")).as(pair).isEmpty();
        } else {
          assertThat(named(fields, "host")).as(pair).containsExactly("host: backend.internal");
        }
      }
    }
  }

  @Test
  void noModifiersChangeNothing() {
    HttpRequest plain =
        HeaderRules.requestForUpstream(
            request(), false, false, false, "192.0.2.7", "http", ExchangeTrace.NONE);
    HttpRequest none =
        HeaderRules.requestForUpstream(
            request(),
            false,
            false,
            false,
            "192.0.2.7",
            "http",
            ExchangeTrace.NONE,
            "/upload?x=1",
            null,
            HeaderEdits.NONE);
    assertThat(fields(none, false)).isEqualTo(fields(plain, false));
    assertThat(named(fields(none, false), "x-env")).containsExactly("x-env: dev", "x-env: staging");
  }

  @Test
  void responseModifiersChangeTheHeadAndNeverTheTrailers() {
    HeaderEdits response =
        HeaderEdits.of(
            new HeaderModifier(
                List.of(new HeaderModifier.Field("Cache-Control", "no-store")),
                List.of(new HeaderModifier.Field("x-added", "1")),
                List.of("server", "x-checksum", "via")));
    for (boolean downstreamHttp2 : new boolean[] {false, true}) {
      FullHttpResponse in =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
      in.headers()
          .add("Server", "app/1.0")
          .add("cache-control", "max-age=60")
          .add("CACHE-CONTROL", "public")
          .add("content-type", "text/plain");
      in.trailingHeaders().add("x-checksum", "abc");
      HttpResponse out =
          HeaderRules.responseForDownstream(
              in, false, downstreamHttp2, HttpMethod.GET, true, response);
      List<String> fields = fields(out, downstreamHttp2);
      String side = downstreamHttp2 ? "h2" : "h1";
      assertThat(named(fields, "cache-control"))
          .as(side)
          .containsExactly("cache-control: no-store");
      assertThat(named(fields, "x-added")).as(side).containsExactly("x-added: 1");
      assertThat(named(fields, "server")).as(side).isEmpty();
      assertThat(named(fields, "via")).as(side).isEmpty();
      assertThat(named(fields, "content-type"))
          .as(side)
          .containsExactly("content-type: text/plain");
      assertThat(((FullHttpResponse) out).trailingHeaders().get("x-checksum"))
          .as("%s: trailers untouched", side)
          .isEqualTo("abc");
    }
  }
}
