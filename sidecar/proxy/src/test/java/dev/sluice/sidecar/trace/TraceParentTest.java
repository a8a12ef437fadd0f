package dev.sluice.sidecar.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code traceparent} as W3C Trace Context level 1 has a receiver read and a sender write it. */
class TraceParentTest {
  private static final String EXAMPLE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void theSpecificationsExampleReadsAndWritesBackTheSame() {
    TraceParent parent = TraceParent.parse(EXAMPLE);

    assertThat(parent).isNotNull();
    assertThat(parent.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(parent.parentIdHex()).isEqualTo("00f067aa0ba902b7");
    assertThat(parent.sampled()).isTrue();
    assertThat(parent.value()).isEqualTo(EXAMPLE);
  }

  @Test
  void allOnesIsAnIdLikeAnyOther() {
    String ones = "00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-00";
    TraceParent parent = TraceParent.parse(ones);

    assertThat(parent).isNotNull();
    assertThat(parent.value()).isEqualTo(ones);
    assertThat(parent.sampled()).isFalse();
  }

  @Test
  void aLaterVersionIsReadForItsFirstFourFieldsAndWrittenAsVersion00() {
    TraceParent parent =
        TraceParent.parse(
            "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what-the-future");

    assertThat(parent).isNotNull();
    assertThat(parent.value())
        .as("flags other than sampled are not ours to send on")
        .isEqualTo(EXAMPLE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0", // short
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", // version 00 with more
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero parent id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff
        "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version not hex
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", // later version, no dash
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // separator
        "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01", // not hex in the trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01", // not hex in the parent id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0z", // not hex in the flags
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" // leading space, 56 long
      })
  void anInvalidValueIsNone(String value) {
    assertThat(TraceParent.parse(value)).isNull();
  }

  @Test
  void aStartedTraceHasRandomNonZeroIdsAndTheSampledFlagAsked() {
    Set<String> traces = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      TraceParent started = TraceParent.start(i % 2 == 0);
      assertThat(TraceParent.parse(started.value())).isEqualTo(started);
      assertThat(started.sampled()).isEqualTo(i % 2 == 0);
      traces.add(started.traceId());
    }
    assertThat(traces).hasSize(1000);
  }

  @Test
  void aChildKeepsTheTraceAndFlagsAndHasItsOwnParentId() {
    TraceParent caller = TraceParent.parse(EXAMPLE);
    TraceParent child = caller.child();

    assertThat(child.traceId()).isEqualTo(caller.traceId());
    assertThat(child.sampled()).isTrue();
    assertThat(child.parentId()).isNotEqualTo(caller.parentId()).isNotZero();
  }

  @Test
  void zeroIdsCannotBeMade() {
    assertThatThrownBy(() -> new TraceParent(0, 0, 1, (byte) 0))
        .hasMessageContaining("trace id: all zeros");
    assertThatThrownBy(() -> new TraceParent(0, 1, 0, (byte) 0))
        .hasMessageContaining("parent id: all zeros");
  }
}
