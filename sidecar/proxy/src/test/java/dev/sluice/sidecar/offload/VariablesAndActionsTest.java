package dev.sluice.sidecar.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.VariableAction;
import dev.sluice.sidecar.config.VariableAction.Operator;
import dev.sluice.sidecar.http2.WireHead;
import dev.sluice.spop.Action;
import dev.sluice.spop.Scope;
import dev.sluice.spop.SpopValue;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VariablesAndActionsTest {
  private final Map<String, SpopValue> session = new HashMap<>();
  private final Variables variables = new Variables(session);

  @Test
  void actionsLandInTheirScopeUnderThePrefix() {
    int applied =
        variables.apply(
            List.of(
                Action.set(Scope.TXN, "score", SpopValue.of(42)),
                Action.set(Scope.SESS, "seen", SpopValue.of(true)),
                Action.set(Scope.REQ, "r", SpopValue.of("x")),
                Action.set(Scope.PROC, "global", SpopValue.of(1))),
            "iprep");
    assertThat(applied).isEqualTo(3);
    assertThat(variables.get("txn.iprep.score")).isEqualTo(SpopValue.of(42));
    assertThat(variables.get("req.iprep.r")).isEqualTo(SpopValue.of("x"));
    assertThat(session).containsEntry("sess.iprep.seen", SpopValue.of(true));
    assertThat(variables.get("proc.iprep.global")).isNull();
  }

  @Test
  void unsetAndNullValuesRemoveAndLongNamesAreDropped() {
    variables.apply(List.of(Action.set(Scope.TXN, "a", SpopValue.of(1))), "p");
    variables.apply(List.of(Action.set(Scope.TXN, "a", SpopValue.NULL)), "p");
    assertThat(variables.get("txn.p.a")).isNull();
    variables.apply(List.of(Action.set(Scope.TXN, "b", SpopValue.of(1))), "p");
    variables.apply(List.of(Action.unset(Scope.TXN, "b")), "p");
    assertThat(variables.get("txn.p.b")).isNull();
    String longName = "x".repeat(Variables.MAX_NAME - "txn.p.".length() + 1);
    assertThat(variables.apply(List.of(Action.set(Scope.TXN, longName, SpopValue.of(1))), "p"))
        .isZero();
    assertThat(variables.get("txn.p." + longName)).isNull();
  }

  @Test
  void aChattyAgentCannotGrowTheMapsWithoutBound() {
    for (int i = 0; i < Variables.MAX_COUNT + 50; i++) {
      variables.set("txn.p.v" + i, SpopValue.of(i));
    }
    assertThat(variables.get("txn.p.v0")).isNotNull();
    assertThat(variables.get("txn.p.v" + (Variables.MAX_COUNT + 10))).isNull();
    // an existing name can still change
    assertThat(variables.set("txn.p.v1", SpopValue.of(-1))).isTrue();
  }

  @Test
  void conditionsCompareBooleansIntegersAndText() {
    variables.set("txn.p.flag", SpopValue.of(true));
    variables.set("txn.p.score", new SpopValue.Uint32(17));
    variables.set("txn.p.name", SpopValue.of("bot"));
    assertThat(holds("txn.p.flag", Operator.Equals, "true")).isTrue();
    assertThat(holds("txn.p.flag", Operator.Equals, "1")).isTrue();
    assertThat(holds("txn.p.flag", Operator.Equals, "false")).isFalse();
    assertThat(holds("txn.p.score", Operator.Equals, "17")).isTrue();
    assertThat(holds("txn.p.score", Operator.GreaterThan, "10")).isTrue();
    assertThat(holds("txn.p.score", Operator.LessThan, "10")).isFalse();
    assertThat(holds("txn.p.score", Operator.LessThan, "18")).isTrue();
    assertThat(holds("txn.p.name", Operator.Equals, "bot")).isTrue();
    assertThat(holds("txn.p.name", Operator.NotEquals, "bot")).isFalse();
    assertThat(holds("txn.p.name", Operator.GreaterThan, "1")).isFalse();
    assertThat(holds("txn.p.name", Operator.Exists, null)).isTrue();
    // unset variables
    assertThat(holds("txn.p.none", Operator.Exists, null)).isFalse();
    assertThat(holds("txn.p.none", Operator.NotExists, null)).isTrue();
    assertThat(holds("txn.p.none", Operator.Equals, "x")).isFalse();
    assertThat(holds("txn.p.none", Operator.NotEquals, "x")).isTrue();
    assertThat(holds("txn.p.none", Operator.GreaterThan, "0")).isFalse();
    assertThat(holds("txn.p.none", Operator.LessThan, "0")).isFalse();
  }

  @Test
  void theFirstHoldingDenyAnswersAndHeadersFollowTheirVariables() {
    variables.set("txn.p.score", SpopValue.of(5));
    List<VariableAction> actions =
        List.of(
            new VariableAction(
                new VariableAction.Deny(
                    new VariableAction.VariableTest("txn.p.score", Operator.GreaterThan, "10"),
                    401,
                    null),
                null,
                null),
            new VariableAction(
                new VariableAction.Deny(
                    new VariableAction.VariableTest("txn.p.score", Operator.LessThan, "10"),
                    429,
                    "slow down"),
                null,
                null),
            new VariableAction(
                null, new VariableAction.HeaderFromVariable("x-score", "txn.p.score", false), null),
            new VariableAction(
                null, new VariableAction.HeaderFromVariable("x-gone", "txn.p.none", true), null),
            new VariableAction(
                null, new VariableAction.HeaderFromVariable("x-kept", "txn.p.none", false), null));
    assertThat(VariableActions.deny(actions, variables))
        .isEqualTo(new PhaseOutcome(429, "slow down"));
    HttpHeaders headers = new DefaultHttpHeaders().set("x-gone", "old").set("x-kept", "old");
    VariableActions.requestHeaders(actions, variables, head(headers));
    assertThat(headers.get("x-score")).isEqualTo("5");
    assertThat(headers.contains("x-gone")).isFalse();
    assertThat(headers.get("x-kept")).isEqualTo("old");

    // The same actions on a head bound for HTTP/2, whose fields are its header block.
    Http2Headers block = new DefaultHttp2Headers().set("x-gone", "old").set("x-kept", "old");
    VariableActions.requestHeaders(
        actions, variables, WireHead.request(HttpMethod.GET, "/", block.method("GET")));
    assertThat(block.get("x-score")).hasToString("5");
    assertThat(block.contains("x-gone")).isFalse();
    assertThat(block.get("x-kept")).hasToString("old");
  }

  private static HttpRequest head(HttpHeaders headers) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", headers);
  }

  @Test
  void aConfiguredNameIsLowerCasedInAnHttp2HeaderBlock() {
    variables.set("txn.p.score", SpopValue.of(7));
    List<VariableAction> actions =
        List.of(
            new VariableAction(
                null,
                null,
                new VariableAction.HeaderFromVariable("X-Score", "txn.p.score", false)));
    Http2Headers block = new DefaultHttp2Headers().status("200");
    VariableActions.responseHeaders(
        actions, variables, WireHead.response(HttpResponseStatus.OK, block));
    assertThat(block.names()).extracting(Object::toString).contains("x-score");
    assertThat(block.get("x-score")).hasToString("7");
  }

  @Test
  void anAgentValueThatIsNoHeaderValueNeverReachesTheHeaders() {
    variables.set("txn.p.evil", SpopValue.of("ok\r\nx-injected: 1"));
    variables.set("txn.p.nul", SpopValue.of("a\u0000b"));
    variables.set("txn.p.tab", SpopValue.of("a\tb"));
    List<VariableAction> actions =
        List.of(
            new VariableAction(
                null, new VariableAction.HeaderFromVariable("x-evil", "txn.p.evil", true), null),
            new VariableAction(
                null, new VariableAction.HeaderFromVariable("x-nul", "txn.p.nul", false), null),
            new VariableAction(
                null, new VariableAction.HeaderFromVariable("x-tab", "txn.p.tab", false), null));
    // not validating, as the heads converted from HTTP/2 are: the check must be ours
    HttpHeaders headers =
        DefaultHttpHeadersFactory.headersFactory()
            .withValidation(false)
            .newHeaders()
            .set("x-evil", "old")
            .set("x-nul", "kept");
    VariableActions.requestHeaders(actions, variables, head(headers));
    assertThat(headers.contains("x-evil")).as("invalid and removeWhenUnset: removed").isFalse();
    assertThat(headers.get("x-nul"))
        .as("invalid, not removeWhenUnset: untouched")
        .isEqualTo("kept");
    assertThat(headers.get("x-tab")).as("a tab is allowed").isEqualTo("a\tb");
    assertThat(headers.contains("x-injected")).isFalse();
  }

  @Test
  void backoffGrowsWithJitterAndResets() {
    Backoff backoff = new Backoff();
    long now = 0;
    assertThat(backoff.ready(now)).isTrue();
    long previousBound = 0;
    for (int i = 1; i <= 12; i++) {
      backoff.failed(now);
      long wait = backoff.waitNanos(now);
      long bound = Math.min(Backoff.MAX_NANOS, Backoff.BASE_NANOS << (i - 1));
      assertThat(wait).isBetween(bound / 2, bound);
      assertThat(bound).isGreaterThanOrEqualTo(previousBound);
      previousBound = bound;
      assertThat(backoff.ready(now + wait - 1)).isFalse();
      assertThat(backoff.ready(now + wait)).isTrue();
    }
    assertThat(previousBound).isEqualTo(Backoff.MAX_NANOS);
    backoff.succeeded();
    assertThat(backoff.ready(now)).isTrue();
  }

  private boolean holds(String variable, Operator operator, String value) {
    return VariableActions.holds(
        new VariableAction.VariableTest(variable, operator, value), variables);
  }
}
