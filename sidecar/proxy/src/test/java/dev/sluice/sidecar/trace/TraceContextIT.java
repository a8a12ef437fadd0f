package dev.sluice.sidecar.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.agent.AgentHandler;
import dev.sluice.agent.AgentServer;
import dev.sluice.sidecar.Sidecar;
import dev.sluice.sidecar.accesslog.CapturedAccessLog;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.testing.Curl;
import dev.sluice.sidecar.testing.OtlpReceiver;
import dev.sluice.sidecar.testing.ReceivedRequest;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.transport.Io;
import dev.sluice.spop.SpopValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * W3C trace context through a real sidecar, for each pair of client and upstream protocols (curl
 * over HTTP/1.1 and h2c; a recording upstream over HTTP/1.1 and h2c): a caller's {@code
 * traceparent} and {@code tracestate} reach the upstream as they came; a request without one (or
 * with an invalid one) reaches it with a new trace and without the stale {@code tracestate}; the
 * trace id the upstream sees is the one the offload agent got as its {@code trace_id} sample and
 * the one the access log wrote. With span export on, a sampled exchange is a span whose id is the
 * parent id the upstream got; a rule that starts no trace leaves requests as they came.
 */
class TraceContextIT {
  private static final HexFormat HEX = HexFormat.of();
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SAMPLED = "00-" + TRACE + "-00f067aa0ba902b7-01";
  private static final String UNSAMPLED = "00-" + TRACE + "-00f067aa0ba902b7-00";

  private final Map<String, String> agentTraceIds = new ConcurrentHashMap<>();
  private final CapturedAccessLog log = new CapturedAccessLog();
  private RecordingUpstream h1;
  private RecordingUpstream h2;
  private AgentServer agent;
  private OtlpReceiver collector;
  private Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    h1 = RecordingUpstream.http1();
    h2 = RecordingUpstream.h2c();
    collector = new OtlpReceiver();
    agent =
        AgentServer.builder(
                (AgentHandler)
                    notification -> {
                      var message = notification.messages().get(0);
                      SpopValue trace = message.arg("trace");
                      agentTraceIds.put(
                          message.arg("id").asText(),
                          trace == SpopValue.NULL ? "NULL" : trace.asText());
                      return CompletableFuture.completedFuture(List.of());
                    })
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .start();
  }

  /** The sidecar, exporting spans to the collector when {@code export}. */
  private void sidecar(boolean export) throws Exception {
    Spans spans =
        export ? OtlpSpans.otlpHttp(collector.endpoint(), "trace-test", Map.of()) : Spans.OFF;
    sidecar =
        new Sidecar(2, Io.defaults(), log.output(), spans)
            .start(
                SidecarConfigCodec.readYaml(
                    """
                    version: 3
                    admin: {address: 127.0.0.1:0}
                    listeners: [{name: web, address: 127.0.0.1:0}]
                    rules:
                      - name: to-h1
                        listener: web
                        matches: [{path: {type: Prefix, value: /h1/}}]
                        upstream: {protocol: http1, endpoints: [%1$s]}
                        offload: [{agent: tracer}]
                      - name: to-h2
                        listener: web
                        matches: [{path: {type: Prefix, value: /h2/}}]
                        upstream: {protocol: h2c, endpoints: [%2$s]}
                        offload: [{agent: tracer}]
                      - name: every-trace-sampled
                        listener: web
                        matches: [{path: {type: Prefix, value: /all/}}]
                        upstream: {protocol: http1, endpoints: [%1$s]}
                        tracing: {sampleRate: 1}
                      - name: pass-through
                        listener: web
                        matches: [{path: {type: Prefix, value: /pass/}}]
                        upstream: {protocol: http1, endpoints: [%1$s]}
                        offload: [{agent: tracer}]
                        tracing: {createWhenAbsent: false}
                    agents:
                      - name: tracer
                        endpoints: [127.0.0.1:%3$d]
                        timeouts: {hello: 1s, idle: 30s, processing: 2s}
                        messages:
                          - name: check
                            event: Request
                            args:
                              - {name: id, value: req.hdr(x-test-id)}
                              - {name: trace, value: trace_id}
                        variables: {prefix: t}
                        failurePolicy: Deny
                    """
                        .formatted(h1.address(), h2.address(), agent.localAddress().getPort()),
                    "trace context test"));
  }

  @AfterEach
  void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    h1.close();
    h2.close();
    agent.close();
    collector.close();
  }

  @ParameterizedTest(name = "{0} client to {1} upstream")
  @CsvSource({"h1, h1", "h1, h2", "h2, h1", "h2, h2"})
  void traceContextContinuesOrStartsAndIsTheSameForUpstreamAgentAndLog(
      String client, String upstream) throws Exception {
    sidecar(false);
    String kept = client + "-kept";
    String absent = client + "-absent";
    String invalid = client + "-invalid";

    assertThat(get(client, upstream, kept, "traceparent: " + SAMPLED, "tracestate: congo=t61r"))
        .isEqualTo(200);
    assertThat(get(client, upstream, absent)).isEqualTo(200);
    assertThat(
            get(
                client,
                upstream,
                invalid,
                "traceparent: " + SAMPLED.toUpperCase(java.util.Locale.ROOT),
                "tracestate: congo=t61r"))
        .isEqualTo(200);

    ReceivedRequest continued = received(upstream, kept);
    assertThat(continued.headerLines("traceparent"))
        .as("without span export the caller's span stays the parent")
        .containsExactly(SAMPLED);
    assertThat(continued.headerLines("tracestate")).containsExactly("congo=t61r");
    for (String id : List.of(absent, invalid)) {
      ReceivedRequest started = received(upstream, id);
      assertThat(started.headerLines("traceparent")).as(id).hasSize(1);
      TraceParent fresh = TraceParent.parse(started.header("traceparent"));
      assertThat(fresh).as("%s: a valid version-00 traceparent", id).isNotNull();
      assertThat(fresh.traceId()).isNotEqualTo(TRACE);
      assertThat(started.headerLines("tracestate")).as(id).isEmpty();
    }

    Map<String, String> logged = loggedTraceIds(3);
    for (String id : List.of(kept, absent, invalid)) {
      String upstreamTrace =
          TraceParent.parse(received(upstream, id).header("traceparent")).traceId();
      assertThat(agentTraceIds.get(id)).as("%s: the agent's trace_id", id).isEqualTo(upstreamTrace);
      assertThat(logged.get(id)).as("%s: the access log's trace_id", id).isEqualTo(upstreamTrace);
    }
  }

  @ParameterizedTest(name = "{0} client to {1} upstream")
  @CsvSource({"h1, h2", "h2, h1"})
  void withSpanExportASampledExchangeIsTheUpstreamsParentSpan(String client, String upstream)
      throws Exception {
    sidecar(true);
    assertThat(get(client, upstream, "unsampled", "traceparent: " + UNSAMPLED)).isEqualTo(200);
    assertThat(get(client, upstream, "sampled", "traceparent: " + SAMPLED)).isEqualTo(200);
    assertThat(get(client, "all", "root")).isEqualTo(200);

    assertThat(received(upstream, "unsampled").header("traceparent"))
        .as("an unsampled trace records no span, so it passes as it came")
        .isEqualTo(UNSAMPLED);
    TraceParent sampled = TraceParent.parse(received(upstream, "sampled").header("traceparent"));
    assertThat(sampled.traceId()).isEqualTo(TRACE);
    assertThat(sampled.sampled()).isTrue();
    assertThat(sampled.parentIdHex()).isNotEqualTo("00f067aa0ba902b7");
    TraceParent root = TraceParent.parse(received("h1", "root").header("traceparent"));

    await().atMost(Duration.ofSeconds(15)).until(() -> collector.spans().size() >= 2);
    Map<String, Span> spans = new HashMap<>();
    for (OtlpReceiver.Received span : collector.spans()) {
      spans.put(HEX.formatHex(span.span().getSpanId().toByteArray()), span.span());
    }
    assertThat(spans).as("the two sampled exchanges, not the unsampled one").hasSize(2);

    Span child = spans.get(sampled.parentIdHex());
    assertThat(child).as("the span whose id the upstream got as parent").isNotNull();
    assertThat(HEX.formatHex(child.getTraceId().toByteArray())).isEqualTo(TRACE);
    assertThat(HEX.formatHex(child.getParentSpanId().toByteArray())).isEqualTo("00f067aa0ba902b7");
    assertThat(child.getName()).isEqualTo("GET to-" + upstream);

    Span started = spans.get(root.parentIdHex());
    assertThat(started).as("a trace started here at sampleRate 1 is a root span").isNotNull();
    assertThat(HEX.formatHex(started.getTraceId().toByteArray())).isEqualTo(root.traceId());
    assertThat(started.getParentSpanId().isEmpty()).isTrue();
    // the collector has them before the exporter's thread hears its answer and counts them
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(sidecar.metrics().registry().scrape())
                    .contains("sluice_spans_exported_total 2.0")
                    .contains("sluice_spans_dropped_total 0.0"));
  }

  @Test
  void aRuleThatStartsNoTraceLeavesTheRequestAsItCame() throws Exception {
    sidecar(true);
    assertThat(get("h1", "pass", "none")).isEqualTo(200);
    assertThat(get("h2", "pass", "bogus", "traceparent: 00-bogus", "tracestate: a=b"))
        .isEqualTo(200);

    assertThat(received("h1", "none").headerLines("traceparent")).isEmpty();
    assertThat(agentTraceIds.get("none")).isEqualTo("NULL");
    assertThat(received("h1", "bogus").headerLines("traceparent")).containsExactly("00-bogus");
    assertThat(received("h1", "bogus").headerLines("tracestate")).containsExactly("a=b");
    assertThat(agentTraceIds.get("bogus")).isEqualTo("NULL");
    for (JsonNode line : log.lines(2)) {
      assertThat(line.get("trace_id").isNull()).as("%s", line).isTrue();
    }
  }

  private int get(String client, String path, String id, String... headers) throws Exception {
    List<String> args = new ArrayList<>();
    args.add(client.equals("h2") ? "--http2-prior-knowledge" : "--http1.1");
    for (String header : headers) {
      args.add("-H");
      args.add(header);
    }
    args.add("-H");
    args.add(RecordingUpstream.TEST_ID + ": " + id);
    int port = sidecar.listenerAddresses().get("web").getPort();
    return Curl.get("http://127.0.0.1:" + port + "/" + path + "/" + id, args.toArray(String[]::new))
        .status();
  }

  private ReceivedRequest received(String upstream, String id) {
    ReceivedRequest request = (upstream.equals("h2") ? h2 : h1).received(id);
    assertThat(request).as("%s reached the %s upstream", id, upstream).isNotNull();
    return request;
  }

  /** The access log's trace ids by the path's last segment, once {@code count} lines are there. */
  private Map<String, String> loggedTraceIds(int count) throws Exception {
    Map<String, String> ids = new HashMap<>();
    for (JsonNode line : log.lines(count)) {
      String path = line.path("path").asText();
      ids.put(path.substring(path.lastIndexOf('/') + 1), line.path("trace_id").asText());
    }
    return ids;
  }
}
