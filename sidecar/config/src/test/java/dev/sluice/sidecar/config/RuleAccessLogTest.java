package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A rule's access-log settings: credentials among the logged headers are redacted unless the rule
 * names what to redact, and a listener's answers before any rule (malformed heads, no rule) are
 * logged as strictly as the strictest of its rules.
 */
class RuleAccessLogTest {
  static RuleAccessLog log(
      boolean enabled, List<String> headers, List<String> redact, boolean includeQuery) {
    return new RuleAccessLog(enabled, 0.5, headers, redact, includeQuery);
  }

  @Test
  void loggedCredentialsAreRedactedUnlessTheRuleSaysWhat() {
    @SuppressWarnings("NullAway") // an absent field (null) reads as its default
    RuleAccessLog unsaid =
        new RuleAccessLog(
            null, null, List.of("X-Request-Id", "Authorization", "cookie"), null, null);
    assertThat(unsaid.redactHeaders()).containsExactly("Authorization", "cookie");
    assertThat(log(true, List.of("authorization"), List.of(), false).redactHeaders())
        .as("said: nothing")
        .isEmpty();
  }

  @Test
  void aListenersAnswersBeforeAnyRuleAreLoggedAsStrictlyAsItsStrictestRule() {
    RuleAccessLog strictest =
        RuleAccessLog.strictestOf(
            List.of(
                log(true, List.of("X-Request-Id", "x-tenant"), List.of("X-Tenant"), true),
                log(false, List.of("x-tenant", "user-agent", "x-request-id"), List.of(), false)));
    assertThat(strictest.enabled()).as("logged while any rule logs").isTrue();
    assertThat(strictest.headers()).containsExactly("x-request-id", "x-tenant", "user-agent");
    assertThat(strictest.redactHeaders()).as("redacted by any rule").containsExactly("x-tenant");
    assertThat(strictest.includeQuery()).as("the query only if every rule keeps it").isFalse();
    assertThat(strictest.successSampleRate()).isEqualTo(1.0);
  }

  @Test
  void aListenerWhoseRulesAllLogNothingLogsNothingAndOneWithoutRulesTheDefault() {
    assertThat(
            RuleAccessLog.strictestOf(
                    List.of(
                        log(false, List.of(), List.of(), true),
                        log(false, List.of(), List.of(), true)))
                .enabled())
        .isFalse();
    assertThat(RuleAccessLog.strictestOf(List.of())).isEqualTo(RuleAccessLog.DEFAULT);
    assertThat(
            RuleAccessLog.strictestOf(List.of(log(true, List.of("a"), List.of(), true)))
                .includeQuery())
        .isTrue();
  }
}
