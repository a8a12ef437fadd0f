package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sidecar.accesslog.AccessLog;
import dev.sluice.sidecar.accesslog.AccessLogFormat;
import dev.sluice.sidecar.accesslog.AccessLogWriter;
import dev.sluice.sidecar.backends.Backends;
import dev.sluice.sidecar.config.InvalidConfigException;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.filters.RuleEdits;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.mirror.Mirrors;
import dev.sluice.sidecar.offload.OffloadPlan;
import dev.sluice.sidecar.runtime.BoundRule;
import dev.sluice.sidecar.runtime.InFlight;
import dev.sluice.sidecar.trace.Spans;
import dev.sluice.sidecar.trace.TraceSettings;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.awaitility.Awaitility;

/**
 * The exchange under test with its fakes, all on one embedded event loop: a fake downstream side,
 * lease source and leases, offload, and a ticker the test moves.
 */
final class ExchangeHarness {
  final EmbeddedChannel channel = new EmbeddedChannel();
  final FakeTicker ticker = new FakeTicker();
  final FakeDownstream downstream;
  final FakeUpstream upstream = new FakeUpstream();
  final FakeOffload offload;
  final InFlight inFlight = new InFlight();
  final List<FakeLease> leases = new ArrayList<>();
  final ProxyMetrics metrics = new ProxyMetrics();
  final List<Object> owned;
  final ByteArrayOutputStream accessLogOut = new ByteArrayOutputStream();
  final AccessLogWriter accessLogWriter = new AccessLogWriter(accessLogOut, 64);
  final BoundRule rule;
  Exchange exchange;

  /** The rule of most stories. */
  static final String RULE =
      """
      upstream: {protocol: h2c, endpoints: [127.0.0.1:1]}
      timeouts: {connect: 1s, request: 100ms, idle: 50ms}
      maxRequestBodyBytes: 10
      """;

  ExchangeHarness(Set<OffloadPlan.Phase> phases, List<Object> owned) throws InvalidConfigException {
    this(phases, owned, RULE);
  }

  /** {@code rule}: the rule's fields other than name and listener, as YAML. */
  ExchangeHarness(Set<OffloadPlan.Phase> phases, List<Object> owned, String rule)
      throws InvalidConfigException {
    this.owned = owned;
    this.downstream = new FakeDownstream(channel, owned);
    this.offload = new FakeOffload(phases, channel.eventLoop());
    this.rule =
        new BoundRule(
            SidecarConfigCodec.readYaml(
                    """
                    version: 1
                    listeners: [{name: http, address: 127.0.0.1:0}]
                    rules:
                      - name: r
                        listener: http
                    """
                        + rule.indent(4),
                    "test")
                .rules()
                .get(0),
            Backends.single(upstream, Upstream.Protocol.HTTP1),
            offload,
            inFlight,
            AccessLog.to(accessLogWriter, AccessLogFormat.JSON),
            TraceSettings.DEFAULT,
            Spans.OFF,
            RuleEdits.NONE,
            null,
            Mirrors.NONE);
  }

  void start(HttpRequest head) {
    assertThat(inFlight.tryStart()).isTrue();
    exchange = new Exchange(downstream, rule, head, metrics, ticker);
    exchange.start();
  }

  HttpRequest get(String path) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
  }

  /** A POST with {@code length} as its content-length, or chunked when null. */
  HttpRequest post(String path, String length) {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path);
    head.headers()
        .set(
            length == null ? "transfer-encoding" : "content-length",
            length == null ? "chunked" : length);
    return head;
  }

  void body(String text, boolean last) {
    var bytes = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    exchange.onRequestContent(
        last ? new DefaultLastHttpContent(bytes) : new DefaultHttpContent(bytes));
  }

  DefaultFullHttpResponse ok(String body) {
    DefaultFullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
    response.headers().setInt("content-length", body.length());
    return response;
  }

  FakeLease refusingLease() {
    FakeLease lease = new FakeLease(this);
    lease.refuses = true;
    return lease;
  }

  /** The counter {@code name} with {@code key=value}; 0 when never counted. */
  double counted(String name, String key, String value) {
    var counter = metrics.registry().find(name).tag(key, value).counter();
    return counter == null ? 0 : counter.count();
  }

  /** Grants the lease the exchange asked for (it must have asked). */
  FakeLease grant(FakeLease lease) {
    assertThat(upstream.asked).as("the exchange asked for a lease").isNotEmpty();
    leases.add(lease);
    upstream.asked.poll().setSuccess(lease);
    return lease;
  }

  /** Runs the loop's timers until {@code done} (bounded). */
  void awaitTimers(java.util.function.BooleanSupplier done) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(5))
        .until(
            () -> {
              channel.runScheduledPendingTasks();
              channel.runPendingTasks();
              return done.getAsBoolean();
            });
  }

  /**
   * The exchange's one access-log line says {@code termination} (code and cause) and {@code
   * status}.
   */
  void assertLogged(String termination, int status) {
    accessLogWriter.close(5000);
    List<String> lines = accessLogOut.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).as("one line per exchange").hasSize(1);
    try {
      JsonNode line = new ObjectMapper().readTree(lines.get(0));
      assertThat(line.get("termination").asText() + " " + line.get("cause").asText())
          .as(lines.get(0))
          .isEqualTo(termination);
      assertThat(line.get("status").asInt()).as(lines.get(0)).isEqualTo(status);
      assertThat(line.get("rule").asText()).isEqualTo("r");
    } catch (java.io.IOException e) {
      throw new AssertionError(lines.get(0), e);
    }
  }

  /**
   * The exchange ended once: counted out of the generation (as completed or not), and told the
   * downstream {@code finished} ("requestComplete/keepAlive"), or aborted it or nothing.
   */
  void assertEnded(boolean completed, String finished) {
    assertThat(exchange.done()).as("ended").isTrue();
    assertThat(inFlight.active()).as("counted out once").isZero();
    assertThat(downstream.finished).as("what the downstream was told").isEqualTo(finished);
    for (FakeLease lease : leases) {
      assertThat(lease.releases).as("each lease given back once").isEqualTo(1);
    }
  }
}
