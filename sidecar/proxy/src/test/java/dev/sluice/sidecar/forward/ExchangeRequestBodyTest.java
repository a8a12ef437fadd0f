package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.http2.Refusal;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How the exchange handles the request body: early chunks forwarded first and in order, 413 when
 * the body passes the limit (before or after a lease was asked for), 400 for an unreadable chunk.
 * Each case is an {@link ExchangeStory}.
 */
class ExchangeRequestBodyTest {
  static Stream<Arguments> stories() {
    return Stream.of(
        Arguments.of(
            "early 413 on the declared length: no lease asked for",
            new ExchangeStory(
                Set.of(),
                h -> {
                  h.start(h.post("/", "100"));
                  assertThat(h.upstream.asked).isEmpty();
                  assertThat(h.downstream.statuses()).containsExactly(413);
                  h.assertEnded(true, "false/false");
                  h.assertLogged("PR limit", 413);
                })),
        Arguments.of(
            "413 when the body passes the limit mid-way",
            new ExchangeStory(
                Set.of(),
                h -> {
                  h.start(h.post("/", null));
                  FakeLease lease = h.grant(new FakeLease(h));
                  h.body("123456", false);
                  h.body("7890ab", false);
                  assertThat(h.downstream.statuses()).containsExactly(413);
                  assertThat(lease.released).isFalse();
                  assertThat(lease.sentBody()).isEqualTo("123456");
                  h.assertEnded(true, "false/false");
                  h.assertLogged("PR limit", 413);
                })),
        Arguments.of(
            "an unreadable chunk: 400, the upstream never told the body ended",
            new ExchangeStory(
                Set.of(),
                h -> {
                  h.start(h.post("/", null));
                  FakeLease lease = h.grant(new FakeLease(h));
                  h.body("12", false);
                  DefaultLastHttpContent broken = new DefaultLastHttpContent(Unpooled.buffer(0));
                  broken.setDecoderResult(DecoderResult.failure(new NumberFormatException("zz")));
                  h.exchange.onRequestContent(broken);
                  assertThat(broken.refCnt()).isZero();
                  assertThat(h.downstream.statuses()).containsExactly(400);
                  assertThat(h.downstream.refusals).containsExactly(Refusal.MALFORMED_BODY);
                  assertThat(lease.lastSent()).as("no last content upstream").isFalse();
                  assertThat(lease.released).isFalse();
                  h.assertEnded(true, "false/false");
                  h.assertLogged("CR malformed", 400);
                })),
        Arguments.of(
            "body chunks that arrive before the lease go first, in order",
            new ExchangeStory(
                Set.of(),
                h -> {
                  h.start(h.post("/", null));
                  h.body("ab", false);
                  h.body("cd", true);
                  FakeLease lease = h.grant(new FakeLease(h));
                  assertThat(lease.sentBody()).isEqualTo("abcd");
                  assertThat(lease.lastSent()).isTrue();
                  lease.respond(h.ok("done"));
                  assertThat(lease.released).isTrue();
                  h.assertEnded(true, "true/true");
                  h.assertLogged("-- ok", 200);
                })));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stories")
  void transitions(String name, ExchangeStory story) throws Exception {
    story.run();
  }
}
