package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.http2.Http2Messages;
import dev.sluice.sidecar.http2.WireHead;
import dev.sluice.sidecar.trace.ExchangeTrace;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The translation of an extended CONNECT, and the WebSocket key and accept it checks. */
class ExtendedConnectTest {
  @Test
  void theAcceptOfRfc6455sExampleKey() {
    assertThat(ExtendedConnect.accept("dGhlIHNhbXBsZSBub25jZQ=="))
        .isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }

  @Test
  void keysAreSixteenFreshRandomBytes() {
    String one = ExtendedConnect.newKey();
    assertThat(Base64.getDecoder().decode(one)).hasSize(16);
    assertThat(ExtendedConnect.newKey()).isNotEqualTo(one);
  }

  @Test
  void aClientsExtendedConnectIsReadAsTheGetOfItsPath() throws Exception {
    HttpRequest head = head();
    assertThat(head.method()).isEqualTo(HttpMethod.GET);
    assertThat(head.uri()).isEqualTo("/chat?room=1");
    assertThat(ExtendedConnect.protocol(head)).isEqualTo("websocket");
  }

  @Test
  void toHttp1ItIsTheUpgradeWithAKeyWhoseAcceptTheAnswerMustCarry() throws Exception {
    HttpRequest head = head();
    ExtendedConnect connect = ExtendedConnect.of(head);
    HttpRequest up =
        connect.forUpstream(
            HeaderRules.requestForUpstream(
                head, true, false, true, "10.0.0.1", "https", ExchangeTrace.NONE),
            false);
    assertThat(up).isInstanceOf(FullHttpRequest.class);
    assertThat(up.method()).isEqualTo(HttpMethod.GET);
    assertThat(up.uri()).isEqualTo("/chat?room=1");
    assertThat(up.headers().get("host")).isEqualTo("example.com");
    assertThat(up.headers().get("connection")).isEqualTo("upgrade");
    assertThat(up.headers().get("upgrade")).isEqualTo("websocket");
    assertThat(up.headers().get("sec-websocket-version")).isEqualTo("13");
    assertThat(up.headers().get("sec-websocket-protocol")).isEqualTo("chat");
    assertThat(up.headers().contains("transfer-encoding")).isFalse();
    assertThat(up.headers().contains("content-length")).isFalse();
    String key = up.headers().get("sec-websocket-key");
    assertThat(Base64.getDecoder().decode(key)).hasSize(16);

    HttpResponse right = switching(ExtendedConnect.accept(key));
    assertThat(connect.check(right, "r")).isNull();
    assertThat(ExtendedConnect.accepted(right, false)).isTrue();
    Ending wrong = connect.check(switching("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "r");
    assertThat(wrong).isNotNull();
    assertThat(wrong.status()).isEqualTo(HttpResponseStatus.BAD_GATEWAY);
    assertThat(wrong.reason()).contains("rule r", ExtendedConnect.accept(key));
    assertThat(connect.check(switching(null), "r").reason()).contains("missing");
  }

  @Test
  void theClientGets200WithoutTheAccept() {
    Http2Headers block =
        new DefaultHttp2Headers()
            .status("101")
            .add("sec-websocket-accept", "x")
            .add("sec-websocket-protocol", "chat");
    HttpResponse out = WireHead.response(HttpResponseStatus.SWITCHING_PROTOCOLS, block);
    ExtendedConnect.confirm(out, false);
    assertThat(block.status()).hasToString("200");
    assertThat(block.contains("sec-websocket-accept")).isFalse();
    assertThat(block.get("sec-websocket-protocol")).hasToString("chat");
  }

  @Test
  void toHttp2ItStaysAnExtendedConnectWhoseHeadersLeaveTheStreamOpen() throws Exception {
    HttpRequest head = head();
    HttpRequest up =
        ExtendedConnect.of(head)
            .forUpstream(
                HeaderRules.requestForUpstream(
                    head, true, true, true, "10.0.0.1", "https", ExchangeTrace.NONE),
                true);
    assertThat(up).isNotInstanceOf(FullHttpRequest.class);
    Http2Headers block = ((WireHead) up).block();
    assertThat(block.method()).hasToString("CONNECT");
    assertThat(block.get(":protocol")).hasToString("websocket");
    assertThat(block.path()).hasToString("/chat?room=1");
    assertThat(block.authority()).hasToString("example.com");
    assertThat(block.get("sec-websocket-version")).hasToString("13");
  }

  @Test
  void anHttp2AnswerOpensTheTunnelWhen2xxAndLeftOpen() {
    assertThat(ExtendedConnect.accepted(status(200), true)).isTrue();
    assertThat(ExtendedConnect.accepted(status(404), true)).isFalse();
    assertThat(ExtendedConnect.accepted(status(101), true)).isFalse();
  }

  private static HttpRequest head() throws Exception {
    Http2Headers headers =
        new DefaultHttp2Headers()
            .method("CONNECT")
            .scheme("https")
            .path("/chat?room=1")
            .authority("example.com");
    headers.set(":protocol", "websocket");
    headers.add("sec-websocket-version", "13").add("sec-websocket-protocol", "chat");
    return (HttpRequest) Http2Messages.inbound(true, 3, headers, false, ByteBufAllocator.DEFAULT);
  }

  private static HttpResponse switching(String accept) {
    HttpResponse response =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
    response.headers().set("upgrade", "websocket").set("connection", "upgrade");
    if (accept != null) {
      response.headers().set("sec-websocket-accept", accept);
    }
    return response;
  }

  private static HttpResponse status(int code) {
    return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code));
  }
}
