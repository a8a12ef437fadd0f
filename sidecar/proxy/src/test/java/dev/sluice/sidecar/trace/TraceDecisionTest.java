package dev.sluice.sidecar.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a request's trace context becomes, for each thing a caller may send. */
class TraceDecisionTest {
  private static final String SAMPLED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static final String UNSAMPLED = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

  @Test
  void aValidTraceparentPassesAsItCameWhenNoSpanIsExported() {
    ExchangeTrace trace = TraceDecision.decide(List.of(SAMPLED), TraceSettings.DEFAULT, false);

    assertThat(trace.outgoing()).isNull();
    assertThat(trace.restarted()).isFalse();
    assertThat(trace.recorded()).isFalse();
    assertThat(trace.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void aSampledTraceGetsOurSpanAsItsParentWhenSpansAreExported() {
    ExchangeTrace trace = TraceDecision.decide(List.of(SAMPLED), TraceSettings.DEFAULT, true);

    assertThat(trace.recorded()).isTrue();
    assertThat(trace.outgoing())
        .startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
        .endsWith("-01")
        .doesNotContain("00f067aa0ba902b7");
    assertThat(trace.caller().parentIdHex()).isEqualTo("00f067aa0ba902b7");
  }

  @Test
  void anUnsampledTraceIsNotRecordedEvenWhenExporting() {
    ExchangeTrace trace = TraceDecision.decide(List.of(UNSAMPLED), TraceSettings.DEFAULT, true);

    assertThat(trace.recorded()).isFalse();
    assertThat(trace.outgoing()).isNull();
  }

  @Test
  void noInvalidOrSeveralTraceparentsStartATrace() {
    for (List<String> fields :
        List.of(List.<String>of(), List.of("00-bogus"), List.of(SAMPLED, SAMPLED))) {
      ExchangeTrace trace = TraceDecision.decide(fields, new TraceSettings(true, 1.0), false);

      assertThat(trace.restarted()).as("%s", fields).isTrue();
      assertThat(trace.caller()).isNull();
      assertThat(TraceParent.parse(trace.outgoing())).isNotNull();
      assertThat(trace.context().sampled()).isTrue();
      assertThat(trace.traceId()).isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }
  }

  @Test
  void startedTracesAreSampledAtTheConfiguredShare() {
    int sampled = 0;
    for (int i = 0; i < 10_000; i++) {
      if (TraceDecision.decide(List.of(), new TraceSettings(true, 0.25), false)
          .context()
          .sampled()) {
        sampled++;
      }
    }
    // binomial(10000, 0.25): sd 43; six of them either side
    assertThat(sampled).isBetween(2500 - 260, 2500 + 260);
    assertThat(
            TraceDecision.decide(List.of(), new TraceSettings(true, 0.0), false)
                .context()
                .sampled())
        .isFalse();
  }

  @Test
  void passThroughStartsNothingAndLeavesAnInvalidValueAlone() {
    assertThat(TraceDecision.decide(List.of(), TraceSettings.PASS_THROUGH, true))
        .isEqualTo(ExchangeTrace.NONE);
    ExchangeTrace invalid =
        TraceDecision.decide(List.of("00-bogus"), TraceSettings.PASS_THROUGH, true);
    assertThat(invalid.outgoing()).isNull();
    assertThat(invalid.restarted()).isFalse();
    assertThat(invalid.traceId()).isNull();
  }
}
