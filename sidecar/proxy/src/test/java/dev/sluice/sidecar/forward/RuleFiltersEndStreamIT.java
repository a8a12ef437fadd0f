package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.forward.EndStreamConformanceIT.Downstream;
import dev.sluice.sidecar.forward.EndStreamConformanceIT.Reply;
import dev.sluice.sidecar.forward.EndStreamConformanceIT.Upstream;
import dev.sluice.sidecar.testing.Arrival;
import dev.sluice.sidecar.testing.ReceivedRequest;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant: a rule's request and response header modifiers and its URL rewrite change heads only:
 * over h1 -> h1, h1 -> h2c, h2c -> h1 and h2 -> h2 (TLS), content-length and chunked, bodies from
 * none to 1 MiB, zero-copy on, the upstream receives exactly the bytes sent with exactly one
 * END_STREAM where it belongs, the changed head (fields set, added, removed; the rewritten host and
 * path, the query kept), and the client the changed response head with the trailers untouched.
 */
class RuleFiltersEndStreamIT {
  static final int[] SIZES = {0, 1, 16384, 16385, 65537, 1 << 20};

  static final Map<Upstream, RecordingUpstream> upstreams = new EnumMap<>(Upstream.class);
  static final Map<Upstream, RunningSidecar> sidecars = new EnumMap<>(Upstream.class);

  @BeforeAll
  static void start() throws Exception {
    upstreams.put(Upstream.HTTP1, RecordingUpstream.http1());
    upstreams.put(Upstream.H2C, RecordingUpstream.h2c());
    upstreams.put(Upstream.H2_TLS, RecordingUpstream.h2Tls());
    for (Upstream upstream : upstreams.keySet()) {
      sidecars.put(upstream, sidecar(upstream));
    }
  }

  @AfterAll
  static void stop() {
    EndStreamConformanceIT.h2Clients.values().forEach(c -> c.close());
    EndStreamConformanceIT.h2Clients.clear();
    sidecars.values().forEach(RunningSidecar::close);
    upstreams.values().forEach(RecordingUpstream::close);
  }

  /** The rule's filters, in flow style (a rule of {@code EndStreamConformanceIT.sidecar}). */
  private static final String FILTERS =
      ", matches: [{path: {type: Prefix, value: /upload}}],"
          + " requestHeaders: {set: [{name: X-Env, value: prod}],"
          + " add: [{name: x-tag, value: from-rule}], remove: [x-debug]},"
          + " responseHeaders: {set: [{name: x-received-bytes, value: \"[set]\"}],"
          + " add: [{name: x-added, value: by-rule}], remove: [via, x-request-sha256]},"
          + " rewrite: {hostname: backend.internal,"
          + " path: {type: ReplacePrefixMatch, value: /v2/in}}";

  private static RunningSidecar sidecar(Upstream upstream) throws Exception {
    return EndStreamConformanceIT.sidecar(
        upstream, upstreams.get(upstream).address(), true, FILTERS);
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    Object[][] pairs = {
      {Downstream.H1_CONTENT_LENGTH, Upstream.HTTP1},
      {Downstream.H1_CHUNKED, Upstream.HTTP1},
      {Downstream.H1_CONTENT_LENGTH, Upstream.H2C},
      {Downstream.H1_CHUNKED, Upstream.H2C},
      {Downstream.H2C_END_ON_DATA, Upstream.HTTP1},
      {Downstream.H2C_END_ON_TRAILERS, Upstream.HTTP1},
      {Downstream.H2_TLS, Upstream.H2_TLS},
    };
    for (Object[] pair : pairs) {
      for (int size : SIZES) {
        cases.add(Arguments.of(pair[0], pair[1], size));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}, {2} bytes")
  @MethodSource("cases")
  void headsChangeAndBodiesAndStreamEndsDoNot(Downstream downstream, Upstream upstream, int size)
      throws Exception {
    byte[] body = EndStreamConformanceIT.body(size);
    String id = UUID.randomUUID().toString();
    Reply reply =
        EndStreamConformanceIT.send(
            downstream,
            sidecars.get(upstream),
            body,
            Arrival.ALL_AT_ONCE,
            id,
            false,
            List.of("x-env: dev", "x-tag: from-client", "x-debug: 1"));

    assertThat(reply.status()).as("status; %s", reply.detail()).isEqualTo(200);
    assertThat(reply.bodyLine())
        .as("upstream's digest of what it received")
        .isEqualTo(EndStreamConformanceIT.sha256(body));
    ReceivedRequest received = upstreams.get(upstream).received(id);
    assertThat(received.bytes()).isEqualTo(size);
    assertThat(received.headerLines("x-env")).containsExactly("prod");
    assertThat(received.headerLines("x-tag")).containsExactly("from-client", "from-rule");
    assertThat(received.headerLines("x-debug")).isEmpty();
    assertThat(received.header(":path")).isEqualTo("/v2/in");
    assertThat(received.header(upstream == Upstream.HTTP1 ? "host" : ":authority"))
        .isEqualTo("backend.internal");
    if (upstream != Upstream.HTTP1) {
      assertThat(received.endStreams())
          .as("END_STREAM count; frames %s", received.frames())
          .isEqualTo(1);
      assertThat(received.framesAfterEnd()).as("frames after END_STREAM").isZero();
      if (downstream.bodylessAtHead(size)) {
        assertThat(received.endedOn()).as("frames %s", received.frames()).isEqualTo("HEADERS");
      } else if (downstream.sendsTrailers()) {
        assertThat(received.endedOn()).as("frames %s", received.frames()).isEqualTo("TRAILERS");
      } else {
        assertThat(received.endedOn())
            .as("frames %s", received.frames())
            .isIn("DATA", "EMPTY_DATA");
      }
    }
  }

  static Stream<Arguments> responses() {
    List<Arguments> cases = new ArrayList<>();
    for (Downstream downstream :
        new Downstream[] {Downstream.H1_CONTENT_LENGTH, Downstream.H2C_END_ON_DATA}) {
      for (Upstream upstream : List.of(Upstream.HTTP1, Upstream.H2C, Upstream.H2_TLS)) {
        cases.add(Arguments.of(downstream, upstream));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} <- {1}")
  @MethodSource("responses")
  void theResponseHeadChangesAndItsTrailersDoNot(Downstream downstream, Upstream upstream)
      throws Exception {
    byte[] body = EndStreamConformanceIT.body(3000);
    Reply reply =
        EndStreamConformanceIT.send(
            downstream,
            sidecars.get(upstream),
            body,
            Arrival.ALL_AT_ONCE,
            UUID.randomUUID().toString(),
            true,
            List.of());
    assertThat(reply.status()).as(reply.detail()).isEqualTo(200);
    assertThat(reply.headers()).containsEntry("x-received-bytes", "[set]");
    assertThat(reply.headers()).containsEntry("x-added", "by-rule");
    assertThat(reply.headers()).doesNotContainKey("via");
    if (upstream != Upstream.HTTP1) { // the HTTP/1.1 recorder sends no trailers
      assertThat(reply.trailers())
          .as("trailers are not the head: responseHeaders.remove leaves them")
          .containsEntry("x-request-sha256", EndStreamConformanceIT.sha256(body));
    }
    if (downstream.http2 && upstream != Upstream.HTTP1) {
      assertThat(reply.frames().get(reply.frames().size() - 1)).isEqualTo("TRAILERS+END_STREAM");
    }
  }
}
