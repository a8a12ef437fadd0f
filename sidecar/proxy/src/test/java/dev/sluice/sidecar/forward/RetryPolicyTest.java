package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.RetryPolicy;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which failures the retry policy sends again, by method, phase and body state, on the exchange's
 * state machine with fake leases (the sockets are {@code RetryIT}'s): what the client gets, what
 * each try was sent, how each lease went back, what was counted.
 */
class RetryPolicyTest {
  private static final String NO_POLICY =
      """
      upstream: {protocol: http1, endpoints: [127.0.0.1:1]}
      timeouts: {connect: 1s, request: 5s, idle: 5s}
      """;

  private final List<Object> owned = new ArrayList<>();

  @AfterEach
  void releaseWhatTheFakesKept() {
    owned.forEach(ReferenceCountUtil::release);
  }

  private ExchangeHarness harness(String retry) throws Exception {
    return new ExchangeHarness(
        Set.of(), owned, NO_POLICY + (retry.isEmpty() ? "" : "retry: " + retry + "\n"));
  }

  private static final String FAST = "backoff: 1ms, maxBackoff: 2ms";

  @Test
  void withoutAPolicyAGetResetBeforeItsResponseIsTriedOnceMore() throws Exception {
    ExchangeHarness h = harness("");
    h.start(h.get("/"));
    FakeLease first = h.grant(new FakeLease(h));
    reset(first);
    h.awaitTimers(() -> !h.upstream.asked.isEmpty()); // after the backoff
    FakeLease second = h.grant(new FakeLease(h));
    assertThat(second.sent).hasSize(1);
    reset(second);
    assertThat(h.upstream.asked).as("one retry only by default").isEmpty();
    assertThat(h.downstream.statuses()).containsExactly(502);
    assertThat(h.leases).extracting(l -> l.released).containsOnly(false);
    assertThat(h.counted("sluice_upstream_retries", "reason", "reset")).isEqualTo(1);
    assertThat(h.counted("sluice_upstream_retries_forgone", "why", "attempts")).isEqualTo(1);
    h.assertEnded(true, "true/true");
    assertBudgetReturned(h);
  }

  @Test
  void withoutAPolicyAPostIsNeverSentTwice() throws Exception {
    ExchangeHarness h = harness("");
    h.start(h.post("/", "2"));
    FakeLease lease = h.grant(new FakeLease(h));
    h.body("ab", true);
    reset(lease);
    assertThat(h.upstream.asked).isEmpty();
    assertThat(h.downstream.statuses()).containsExactly(502);
    assertThat(h.counted("sluice_upstream_retries", "reason", "reset")).isZero();
    h.assertEnded(true, "true/true");
  }

  @Test
  void withoutAPolicyA503IsPassedOn() throws Exception {
    ExchangeHarness h = harness("");
    h.start(h.get("/"));
    FakeLease lease = h.grant(new FakeLease(h));
    lease.respond(status(h, 503));
    assertThat(h.upstream.asked).isEmpty();
    assertThat(h.downstream.statuses()).containsExactly(503);
  }

  @Test
  void aStatusThePolicyNamesIsTriedAgainElsewhereUntilOneServes() throws Exception {
    ExchangeHarness h = harness("{attempts: 2, codes: [503], " + FAST + "}");
    h.start(h.get("/"));
    DefaultFullHttpResponse first503 = status(h, 503);
    h.grant(new FakeLease(h)).respond(first503);
    assertThat(first503.refCnt()).as("the retried response is released").isZero();
    h.awaitTimers(() -> !h.upstream.asked.isEmpty());
    h.grant(new FakeLease(h)).respond(status(h, 503));
    h.awaitTimers(() -> !h.upstream.asked.isEmpty());
    h.grant(new FakeLease(h)).respond(h.ok("served"));
    assertThat(h.downstream.statuses()).containsExactly(200);
    assertThat(h.leases).extracting(l -> l.released).containsExactly(false, false, true);
    assertThat(h.counted("sluice_upstream_retries", "reason", "status")).isEqualTo(2);
    h.assertEnded(true, "true/true");
    assertBudgetReturned(h);
  }

  @Test
  void theLastTrysResponseGoesToTheClientWhateverItIs() throws Exception {
    ExchangeHarness h = harness("{attempts: 1, " + FAST + "}");
    h.start(h.get("/"));
    h.grant(new FakeLease(h)).respond(status(h, 502));
    h.awaitTimers(() -> !h.upstream.asked.isEmpty());
    h.grant(new FakeLease(h)).respond(status(h, 504));
    assertThat(h.downstream.statuses()).containsExactly(504);
    assertThat(h.counted("sluice_upstream_retries_forgone", "why", "attempts")).isEqualTo(1);
    h.assertEnded(true, "true/true");
  }

  @Test
  void aSmallBodyIsKeptAndSentAgainWhole() throws Exception {
    ExchangeHarness h = harness("{codes: [503], maxReplayBytes: 16, " + FAST + "}");
    h.start(put("4"));
    FakeLease first = h.grant(new FakeLease(h));
    h.body("ab", false);
    h.body("cd", true);
    assertThat(first.sentBody()).isEqualTo("abcd");
    first.respond(status(h, 503));
    h.awaitTimers(() -> !h.upstream.asked.isEmpty());
    FakeLease second = h.grant(new FakeLease(h));
    assertThat(second.sentBody()).as("the same body again").isEqualTo("abcd");
    assertThat(second.lastSent()).isTrue();
    second.respond(h.ok("stored"));
    assertThat(h.downstream.statuses()).containsExactly(200);
    h.assertEnded(true, "true/true");
  }

  @Test
  void aBodyStillArrivingIsReplayedThenContinuedOnTheNextTry() throws Exception {
    ExchangeHarness h = harness("{maxReplayBytes: 16, " + FAST + "}");
    h.start(put("4"));
    FakeLease first = h.grant(new FakeLease(h));
    h.body("ab", false);
    reset(first);
    h.body("cd", true); // arrives during the backoff: queued
    h.awaitTimers(() -> !h.upstream.asked.isEmpty());
    FakeLease second = h.grant(new FakeLease(h));
    assertThat(second.sentBody()).isEqualTo("abcd");
    second.respond(h.ok("stored"));
    assertThat(h.downstream.statuses()).containsExactly(200);
    h.assertEnded(true, "true/true");
  }

  @Test
  void aBodyLongerThanTheReplayLimitIsNeverSentTwice() throws Exception {
    ExchangeHarness h = harness("{codes: [503], maxReplayBytes: 3, " + FAST + "}");
    h.start(put("4"));
    FakeLease lease = h.grant(new FakeLease(h));
    h.body("ab", false);
    h.body("cd", true);
    lease.respond(status(h, 503));
    assertThat(h.upstream.asked).isEmpty();
    assertThat(h.downstream.statuses()).containsExactly(503);
    assertThat(h.counted("sluice_upstream_retries_forgone", "why", "body")).isEqualTo(1);
    h.assertEnded(true, "true/true");
  }

  @Test
  void aMethodOutsideThePolicyIsNotTriedAgain() throws Exception {
    ExchangeHarness h = harness("{methods: [GET], " + FAST + "}");
    h.start(put("0"));
    reset(h.grant(new FakeLease(h)));
    assertThat(h.upstream.asked).isEmpty();
    assertThat(h.downstream.statuses()).containsExactly(502);
  }

  @Test
  void aPostThePolicyListsIsTriedAgain() throws Exception {
    ExchangeHarness h = harness("{methods: [POST], " + FAST + "}");
    h.start(h.post("/", "2"));
    FakeLease first = h.grant(new FakeLease(h));
    h.body("ab", true);
    reset(first);
    h.awaitTimers(() -> !h.upstream.asked.isEmpty());
    FakeLease second = h.grant(new FakeLease(h));
    assertThat(second.sentBody()).isEqualTo("ab");
    second.respond(h.ok("done"));
    assertThat(h.downstream.statuses()).containsExactly(200);
  }

  @Test
  void aTryWithoutAResponseWithinItsPerTryTimeoutIsTriedAgainThenAnswered504() throws Exception {
    ExchangeHarness h = harness("{attempts: 1, perTryTimeout: 20ms, " + FAST + "}");
    h.start(h.get("/"));
    h.grant(new FakeLease(h));
    h.awaitTimers(() -> !h.upstream.asked.isEmpty());
    h.grant(new FakeLease(h));
    h.awaitTimers(() -> !h.downstream.written.isEmpty());
    assertThat(h.downstream.statuses()).containsExactly(504);
    assertThat(h.downstream.text(0))
        .contains("did not respond within the per-try timeout 20ms (try 2 of at most 2)");
    assertThat(h.leases).extracting(l -> l.released).containsOnly(false);
    assertThat(h.counted("sluice_upstream_retries", "reason", "per_try_timeout")).isEqualTo(1);
    assertThat(h.counted("sluice_upstream_errors", "kind", "per_try_timeout")).isEqualTo(1);
    h.assertEnded(true, "true/true");
  }

  @Test
  void aResponseHeadStopsThePerTryTimeout() throws Exception {
    ExchangeHarness h = harness("{perTryTimeout: 20ms, " + FAST + "}");
    h.start(h.get("/"));
    FakeLease lease = h.grant(new FakeLease(h));
    lease.respond(h.ok("in time"));
    Thread.sleep(40); // deliberate stall: past the per-try timeout, which must not fire
    h.channel.runScheduledPendingTasks();
    h.channel.runPendingTasks();
    assertThat(h.upstream.asked).isEmpty();
    assertThat(h.downstream.statuses()).containsExactly(200);
  }

  @Test
  void aSpentBudgetPassesTheFailureOn() throws Exception {
    ExchangeHarness h =
        harness("{codes: [503], budget: {percent: 0, minConcurrent: 1}, " + FAST + "}");
    // Another request of the upstream holds the only retry the budget allows.
    h.upstream.budget.requestStarted();
    assertThat(h.upstream.budget.tryRetry(new RetryPolicy.Budget(0, 1))).isTrue();
    h.start(h.get("/"));
    h.grant(new FakeLease(h)).respond(status(h, 503));
    assertThat(h.upstream.asked).isEmpty();
    assertThat(h.downstream.statuses()).containsExactly(503);
    assertThat(h.counted("sluice_upstream_retries_forgone", "why", "budget")).isEqualTo(1);
    h.upstream.budget.retryEnded();
    h.upstream.budget.requestEnded();
    assertBudgetReturned(h);
  }

  @Test
  void anUpgradeIsNeverSentTwice() throws Exception {
    ExchangeHarness h = harness("{" + FAST + "}");
    HttpRequest upgrade = h.get("/chat");
    upgrade.headers().set("connection", "upgrade").set("upgrade", "websocket");
    h.start(upgrade);
    reset(h.grant(new FakeLease(h)));
    assertThat(h.upstream.asked).isEmpty();
    assertThat(h.downstream.statuses()).containsExactly(502);
  }

  @Test
  void theClientLeavingDuringTheBackoffEndsItWithoutAnotherTry() throws Exception {
    ExchangeHarness h = harness("{backoff: 200ms, maxBackoff: 200ms}");
    h.start(h.get("/"));
    reset(h.grant(new FakeLease(h)));
    h.exchange.onDownstreamClosed();
    Thread.sleep(250); // deliberate stall: past the backoff, which must not fire
    h.channel.runScheduledPendingTasks();
    h.channel.runPendingTasks();
    assertThat(h.upstream.asked).as("no try after the end").isEmpty();
    h.assertEnded(false, null);
    assertBudgetReturned(h);
  }

  @Test
  void backoffIsFullJitterDoublingUpToItsMaximum() {
    RetryPolicy policy =
        new RetryPolicy(
            5, null, null, null, null, Duration.ofMillis(25), Duration.ofMillis(250), null, null);
    List<Long> bounds = new ArrayList<>();
    for (int retry = 1; retry <= 6; retry++) {
      RequestAttempt.backoffNanos(
          policy,
          retry,
          bound -> {
            bounds.add(bound - 1);
            return 0;
          });
    }
    assertThat(bounds)
        .containsExactly(
            ms(25), ms(50), ms(100), ms(200), ms(250), ms(250)); // then capped at maxBackoff
    assertThat(RequestAttempt.backoffNanos(policy, 3, bound -> bound - 1)).isEqualTo(ms(100));
  }

  private static long ms(long millis) {
    return Duration.ofMillis(millis).toNanos();
  }

  private static void reset(FakeLease lease) {
    lease.bound.onUpstreamClosed(new IOException("Connection reset by peer"));
  }

  private static HttpRequest put(String length) {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/item");
    head.headers().set("content-length", length);
    return head;
  }

  private static DefaultFullHttpResponse status(ExchangeHarness h, int code) {
    DefaultFullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(code),
            Unpooled.copiedBuffer("busy", StandardCharsets.US_ASCII));
    response.headers().setInt("content-length", 4);
    return response;
  }

  private static void assertBudgetReturned(ExchangeHarness h) {
    assertThat(h.upstream.budget.requests()).as("requests in flight").isZero();
    assertThat(h.upstream.budget.retries()).as("retries in flight").isZero();
  }
}
