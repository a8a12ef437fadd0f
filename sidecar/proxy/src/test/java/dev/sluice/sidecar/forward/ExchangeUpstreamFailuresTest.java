package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How the exchange ends when the upstream refuses its streams or goes quiet: retried on a fresh
 * lease until a limit, then 502; cut when idle mid-response; 504 when it never answers in time.
 * Each case is an {@link ExchangeStory}.
 */
class ExchangeUpstreamFailuresTest {
  static Stream<Arguments> stories() {
    return Stream.of(
        Arguments.of(
            "refused twice, then served",
            new ExchangeStory(
                Set.of(),
                h -> {
                  h.start(h.get("/"));
                  h.grant(h.refusingLease());
                  h.grant(h.refusingLease());
                  FakeLease third = h.grant(new FakeLease(h));
                  assertThat(h.leases)
                      .extracting(l -> l.released)
                      .containsExactly(false, false, null);
                  third.respond(h.ok("served"));
                  assertThat(h.downstream.statuses()).containsExactly(200);
                  assertThat(third.released).as("reused after a clean exchange").isTrue();
                  h.assertEnded(true, "true/true");
                  h.assertLogged("-- ok", 200);
                })),
        Arguments.of(
            "refused three times: 502",
            new ExchangeStory(
                Set.of(),
                h -> {
                  h.start(h.get("/"));
                  h.grant(h.refusingLease());
                  h.grant(h.refusingLease());
                  h.grant(h.refusingLease());
                  assertThat(h.upstream.asked).as("no fourth lease asked for").isEmpty();
                  assertThat(h.downstream.statuses()).containsExactly(502);
                  assertThat(h.leases).extracting(l -> l.released).containsOnly(false);
                  h.assertEnded(true, "true/true");
                  h.assertLogged("UH closed", 502);
                })),
        Arguments.of(
            "idle cut mid-response",
            new ExchangeStory(
                Set.of(),
                h -> {
                  h.start(h.get("/"));
                  FakeLease lease = h.grant(new FakeLease(h));
                  lease.respond(
                      new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
                  assertThat(h.downstream.statuses()).containsExactly(200);
                  h.ticker.advance(Duration.ofSeconds(1));
                  h.awaitTimers(() -> h.downstream.aborted);
                  assertThat(lease.released).isFalse();
                  h.assertEnded(false, null);
                  h.assertLogged("UD timeout_idle", 200);
                })),
        Arguments.of(
            "the request timeout: 504 when the upstream never answers",
            new ExchangeStory(
                Set.of(),
                h -> {
                  h.start(h.get("/"));
                  FakeLease lease = h.grant(new FakeLease(h));
                  h.awaitTimers(() -> !h.downstream.written.isEmpty());
                  assertThat(h.downstream.statuses()).containsExactly(504);
                  assertThat(h.downstream.text(0)).contains("did not respond within 100ms");
                  assertThat(lease.released).isFalse();
                  h.assertEnded(true, "true/true");
                  h.assertLogged("UH timeout_request", 504);
                })));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stories")
  void transitions(String name, ExchangeStory story) throws Exception {
    story.run();
  }
}
