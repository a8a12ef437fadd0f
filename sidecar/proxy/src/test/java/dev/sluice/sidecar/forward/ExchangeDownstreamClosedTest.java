package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.offload.OffloadPlan;
import dev.sluice.sidecar.offload.PhaseOutcome;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * When the downstream goes away first: what arrives after the end (an offload outcome, an upstream
 * answer, a granted lease) is released or given back, never relayed. Each case is an {@link
 * ExchangeStory}.
 */
class ExchangeDownstreamClosedTest {
  static Stream<Arguments> stories() {
    return Stream.of(
        Arguments.of(
            "downstream closed while the response phase holds the head",
            new ExchangeStory(
                Set.of(OffloadPlan.Phase.RESPONSE),
                h -> {
                  h.start(h.get("/"));
                  FakeLease lease = h.grant(new FakeLease(h));
                  DefaultFullHttpResponse held = h.ok("held");
                  lease.respond(held);
                  h.exchange.onDownstreamClosed();
                  assertThat(held.refCnt()).as("the held head released at the end").isZero();
                  h.offload.finish(PhaseOutcome.CONTINUE);
                  assertThat(h.downstream.written).isEmpty();
                  assertThat(lease.released).isFalse();
                  h.assertEnded(false, null);
                  h.assertLogged("CO closed", 0);
                })),
        Arguments.of(
            "downstream closed while the request phase runs",
            new ExchangeStory(
                Set.of(OffloadPlan.Phase.REQUEST),
                h -> {
                  h.start(h.get("/"));
                  h.exchange.onDownstreamClosed();
                  h.offload.finish(PhaseOutcome.CONTINUE);
                  assertThat(h.upstream.asked).as("no lease after the end").isEmpty();
                  assertThat(h.downstream.written).isEmpty();
                  h.assertEnded(false, null);
                  h.assertLogged("CO closed", 0);
                })),
        Arguments.of(
            "a late upstream answer after the end is released, not relayed",
            new ExchangeStory(
                Set.of(),
                h -> {
                  h.start(h.get("/"));
                  FakeLease lease = h.grant(new FakeLease(h));
                  h.exchange.onDownstreamClosed();
                  DefaultFullHttpResponse late = h.ok("late");
                  lease.respond(late);
                  assertThat(late.refCnt()).isZero();
                  assertThat(h.downstream.written).isEmpty();
                  assertThat(lease.released).isFalse();
                  h.assertEnded(false, null);
                  h.assertLogged("CH closed", 0);
                })),
        Arguments.of(
            "a lease granted after the end goes straight back",
            new ExchangeStory(
                Set.of(),
                h -> {
                  h.start(h.get("/"));
                  h.exchange.onDownstreamClosed();
                  FakeLease late = h.grant(new FakeLease(h));
                  assertThat(late.released).isFalse();
                  assertThat(late.sent).isEmpty();
                  h.assertEnded(false, null);
                  h.assertLogged("CC closed", 0);
                })));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stories")
  void transitions(String name, ExchangeStory story) throws Exception {
    story.run();
  }
}
