package dev.sluice.sidecar.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.agent.AgentHandler;
import dev.sluice.agent.AgentServer;
import dev.sluice.sidecar.Sidecar;
import dev.sluice.sidecar.accesslog.AccessLog;
import dev.sluice.sidecar.accesslog.AccessLogFormat;
import dev.sluice.sidecar.accesslog.AccessLogWriter;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.testing.Curl;
import dev.sluice.sidecar.testing.ReceivedRequest;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.transport.Io;
import dev.sluice.spop.SpopValue;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * W3C trace context through a real sidecar, for each pair of client and upstream protocols (curl
 * over HTTP/1.1 and h2c; a recording upstream over HTTP/1.1 and h2c): a caller's {@code
 * traceparent} and {@code tracestate} reach the upstream as they came; a request without one (or
 * with an invalid one) reaches it with a new trace and without the stale {@code tracestate}; and
 * the trace id the upstream sees is the one the offload agent got as its {@code trace_id} sample
 * and the one the access log wrote.
 */
class TraceContextIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private final Map<String, String> agentTraceIds = new ConcurrentHashMap<>();
  private RecordingUpstream h1;
  private RecordingUpstream h2;
  private AgentServer agent;
  private AccessLogWriter writer;
  private Sidecar sidecar;

  @BeforeEach
  void start() throws Exception {
    h1 = RecordingUpstream.http1();
    h2 = RecordingUpstream.h2c();
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
    OutputStream sink =
        new OutputStream() {
          @Override
          public void write(int b) {
            synchronized (log) {
              log.write(b);
            }
          }

          @Override
          public void write(byte[] b, int off, int len) {
            synchronized (log) {
              log.write(b, off, len);
            }
          }
        };
    writer = new AccessLogWriter(sink, 1024);
    sidecar =
        new Sidecar(2, Io.defaults(), AccessLog.to(writer, AccessLogFormat.JSON))
            .start(
                SidecarConfigCodec.readYaml(
                    """
                    version: 1
                    admin: {address: 127.0.0.1:0}
                    listeners: [{name: web, address: 127.0.0.1:0}]
                    rules:
                      - name: to-h1
                        listener: web
                        matches: [{path: {type: Prefix, value: /h1/}}]
                        upstream: {protocol: http1, endpoints: [%s]}
                        offload: [{agent: tracer}]
                      - name: to-h2
                        listener: web
                        matches: [{path: {type: Prefix, value: /h2/}}]
                        upstream: {protocol: h2c, endpoints: [%s]}
                        offload: [{agent: tracer}]
                    agents:
                      - name: tracer
                        endpoints: [127.0.0.1:%d]
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
    sidecar.close();
    h1.close();
    h2.close();
    agent.close();
  }

  @ParameterizedTest(name = "{0} client to {1} upstream")
  @CsvSource({"h1, h1", "h1, h2", "h2, h1", "h2, h2"})
  void traceContextContinuesOrStartsAndIsTheSameForUpstreamAgentAndLog(
      String client, String upstream) throws Exception {
    String pair = client + "-" + upstream;
    String kept = pair + "-kept";
    String absent = pair + "-absent";
    String invalid = pair + "-invalid";

    assertThat(
            get(client, upstream, kept, "traceparent: " + CALLER, "tracestate: congo=t61rcWkgMzE"))
        .isEqualTo(200);
    assertThat(get(client, upstream, absent)).isEqualTo(200);
    assertThat(
            get(
                client,
                upstream,
                invalid,
                "traceparent: 00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
                "tracestate: congo=t61rcWkgMzE"))
        .isEqualTo(200);

    ReceivedRequest continued = received(upstream, kept);
    assertThat(continued.headerLines("traceparent")).containsExactly(CALLER);
    assertThat(continued.headerLines("tracestate")).containsExactly("congo=t61rcWkgMzE");

    for (String id : List.of(absent, invalid)) {
      ReceivedRequest started = received(upstream, id);
      assertThat(started.headerLines("traceparent")).as(id).hasSize(1);
      TraceParent fresh = TraceParent.parse(started.header("traceparent"));
      assertThat(fresh).as("%s: a valid version-00 traceparent", id).isNotNull();
      assertThat(fresh.traceId()).isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
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

  private int get(String client, String upstream, String id, String... headers) throws Exception {
    List<String> args = new ArrayList<>();
    args.add(client.equals("h2") ? "--http2-prior-knowledge" : "--http1.1");
    for (String header : headers) {
      args.add("-H");
      args.add(header);
    }
    args.add("-H");
    args.add(RecordingUpstream.TEST_ID + ": " + id);
    int port = sidecar.listenerAddresses().get("web").getPort();
    return Curl.get(
            "http://127.0.0.1:" + port + "/" + upstream + "/" + id, args.toArray(String[]::new))
        .status();
  }

  private ReceivedRequest received(String upstream, String id) {
    ReceivedRequest request = (upstream.equals("h2") ? h2 : h1).received(id);
    assertThat(request).as("%s reached the %s upstream", id, upstream).isNotNull();
    return request;
  }

  /** The access log's trace ids by the path's last segment, once {@code count} lines are there. */
  private Map<String, String> loggedTraceIds(int count) {
    Map<String, String> ids = new ConcurrentHashMap<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              String text;
              synchronized (log) {
                text = log.toString(StandardCharsets.UTF_8);
              }
              for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                  JsonNode entry = JSON.readTree(line);
                  String path = entry.path("path").asText();
                  ids.put(
                      path.substring(path.lastIndexOf('/') + 1), entry.path("trace_id").asText());
                }
              }
              return ids.size() >= count;
            });
    return ids;
  }
}
