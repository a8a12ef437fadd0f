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
 * The offload's response phase holds the response head: a deny replaces it (the held head
 * released), a continue lets it through. Each case is an {@link ExchangeStory}.
 */
class ExchangeResponsePhaseTest {
  static Stream<Arguments> stories() {
    return Stream.of(
        Arguments.of(
            "deny in the response phase",
            new ExchangeStory(
                Set.of(OffloadPlan.Phase.RESPONSE),
                h -> {
                  h.start(h.get("/"));
                  FakeLease lease = h.grant(new FakeLease(h));
                  DefaultFullHttpResponse answer = h.ok("secret");
                  lease.respond(answer);
                  assertThat(h.downstream.written).as("the head is held").isEmpty();
                  h.offload.finish(new PhaseOutcome(403, "blocked by the agent"));
                  assertThat(answer.refCnt()).as("the held head released").isZero();
                  assertThat(h.downstream.statuses()).containsExactly(403);
                  assertThat(h.downstream.text(0)).contains("blocked by the agent");
                  assertThat(lease.released).isFalse();
                  h.assertEnded(true, "true/true");
                  h.assertLogged("AO deny", 403);
                })),
        Arguments.of(
            "the response phase lets it through",
            new ExchangeStory(
                Set.of(OffloadPlan.Phase.RESPONSE),
                h -> {
                  h.start(h.get("/"));
                  FakeLease lease = h.grant(new FakeLease(h));
                  lease.respond(h.ok("fine"));
                  h.offload.finish(PhaseOutcome.CONTINUE);
                  assertThat(h.downstream.statuses()).containsExactly(200);
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
