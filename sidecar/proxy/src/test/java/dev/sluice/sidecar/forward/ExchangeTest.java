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
import dev.sluice.sidecar.http2.Refusal;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.mirror.Mirrors;
import dev.sluice.sidecar.offload.Offload;
import dev.sluice.sidecar.offload.OffloadPlan;
import dev.sluice.sidecar.offload.PhaseOutcome;
import dev.sluice.sidecar.offload.SampleSource;
import dev.sluice.sidecar.offload.Variables;
import dev.sluice.sidecar.routing.RequestTarget;
import dev.sluice.sidecar.runtime.BoundRule;
import dev.sluice.sidecar.runtime.InFlight;
import dev.sluice.sidecar.trace.Spans;
import dev.sluice.sidecar.trace.TraceSettings;
import dev.sluice.sidecar.upstream.EndpointTries;
import dev.sluice.sidecar.upstream.LeaseSource;
import dev.sluice.sidecar.upstream.RetryBudget;
import dev.sluice.sidecar.upstream.StreamRefusedException;
import dev.sluice.sidecar.upstream.UpstreamExchange;
import dev.sluice.sidecar.upstream.UpstreamLease;
import dev.sluice.spop.SpopValue;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exchange's state machine without sockets: a fake downstream side, a fake lease source and
 * leases, a fake offload, all on one embedded event loop, and a ticker the test moves. Each case
 * drives the transitions of one story and checks how the exchange ended: what the downstream was
 * told, how every lease was given back, that the request was counted out once, and that every
 * buffer it was handed was released.
 */
class ExchangeTest {
  private final List<Object> owned = new ArrayList<>();

  @AfterEach
  void releaseWhatTheFakesKept() {
    owned.forEach(ReferenceCountUtil::release);
  }

  /** One story: what happens to the exchange, then what must be true. */
  record Story(Set<OffloadPlan.Phase> offload, Consumer<Harness> script) {}

  static Stream<Arguments> stories() {
    return Stream.of(
        Arguments.of(
            "refused twice, then served",
            new Story(
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
            new Story(
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
            "early 413 on the declared length: no lease asked for",
            new Story(
                Set.of(),
                h -> {
                  h.start(h.post("/", "100"));
                  assertThat(h.upstream.asked).isEmpty();
                  assertThat(h.downstream.statuses()).containsExactly(413);
                  h.assertEnded(true, "false/false");
                  h.assertLogged("PR limit", 413);
                })),
        Arguments.of(
            "413 when the body passes the limit mid-way",
            new Story(
                Set.of(),
                h -> {
                  h.start(h.post("/", null));
                  FakeLease lease = h.grant(new FakeLease(h));
                  h.body("123456", false);
                  h.body("7890ab", false);
                  assertThat(h.downstream.statuses()).containsExactly(413);
                  assertThat(lease.released).isFalse();
                  assertThat(lease.sentBody()).isEqualTo("123456");
                  h.assertEnded(true, "false/false");
                  h.assertLogged("PR limit", 413);
                })),
        Arguments.of(
            "an unreadable chunk: 400, the upstream never told the body ended",
            new Story(
                Set.of(),
                h -> {
                  h.start(h.post("/", null));
                  FakeLease lease = h.grant(new FakeLease(h));
                  h.body("12", false);
                  DefaultLastHttpContent broken = new DefaultLastHttpContent(Unpooled.buffer(0));
                  broken.setDecoderResult(DecoderResult.failure(new NumberFormatException("zz")));
                  h.exchange.onRequestContent(broken);
                  assertThat(broken.refCnt()).isZero();
                  assertThat(h.downstream.statuses()).containsExactly(400);
                  assertThat(h.downstream.refusals).containsExactly(Refusal.MALFORMED_BODY);
                  assertThat(lease.lastSent()).as("no last content upstream").isFalse();
                  assertThat(lease.released).isFalse();
                  h.assertEnded(true, "false/false");
                  h.assertLogged("CR malformed", 400);
                })),
        Arguments.of(
            "idle cut mid-response",
            new Story(
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
            new Story(
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
                })),
        Arguments.of(
            "deny in the response phase",
            new Story(
                Set.of(OffloadPlan.Phase.RESPONSE),
                h -> {
                  h.start(h.get("/"));
                  FakeLease lease = h.grant(new FakeLease(h));
                  DefaultFullHttpResponse answer = h.ok("secret");
                  lease.respond(answer);
                  assertThat(h.downstream.written).as("the head is held").isEmpty();
                  h.offload.finish(new PhaseOutcome(403, "blocked by the agent"));
                  assertThat(answer.refCnt()).as("the held head released").isZero();
                  assertThat(h.downstream.statuses()).containsExactly(403);
                  assertThat(h.downstream.text(0)).contains("blocked by the agent");
                  assertThat(lease.released).isFalse();
                  h.assertEnded(true, "true/true");
                  h.assertLogged("AO deny", 403);
                })),
        Arguments.of(
            "the response phase lets it through",
            new Story(
                Set.of(OffloadPlan.Phase.RESPONSE),
                h -> {
                  h.start(h.get("/"));
                  FakeLease lease = h.grant(new FakeLease(h));
                  lease.respond(h.ok("fine"));
                  h.offload.finish(PhaseOutcome.CONTINUE);
                  assertThat(h.downstream.statuses()).containsExactly(200);
                  assertThat(lease.released).isTrue();
                  h.assertEnded(true, "true/true");
                  h.assertLogged("-- ok", 200);
                })),
        Arguments.of(
            "downstream closed while the response phase holds the head",
            new Story(
                Set.of(OffloadPlan.Phase.RESPONSE),
                h -> {
                  h.start(h.get("/"));
                  FakeLease lease = h.grant(new FakeLease(h));
                  DefaultFullHttpResponse held = h.ok("held");
                  lease.respond(held);
                  h.exchange.onDownstreamClosed();
                  assertThat(held.refCnt()).as("the held head released at the end").isZero();
                  h.offload.finish(PhaseOutcome.CONTINUE);
                  assertThat(h.downstream.written).isEmpty();
                  assertThat(lease.released).isFalse();
                  h.assertEnded(false, null);
                  h.assertLogged("CO closed", 0);
                })),
        Arguments.of(
            "downstream closed while the request phase runs",
            new Story(
                Set.of(OffloadPlan.Phase.REQUEST),
                h -> {
                  h.start(h.get("/"));
                  h.exchange.onDownstreamClosed();
                  h.offload.finish(PhaseOutcome.CONTINUE);
                  assertThat(h.upstream.asked).as("no lease after the end").isEmpty();
                  assertThat(h.downstream.written).isEmpty();
                  h.assertEnded(false, null);
                  h.assertLogged("CO closed", 0);
                })),
        Arguments.of(
            "a late upstream answer after the end is released, not relayed",
            new Story(
                Set.of(),
                h -> {
                  h.start(h.get("/"));
                  FakeLease lease = h.grant(new FakeLease(h));
                  h.exchange.onDownstreamClosed();
                  DefaultFullHttpResponse late = h.ok("late");
                  lease.respond(late);
                  assertThat(late.refCnt()).isZero();
                  assertThat(h.downstream.written).isEmpty();
                  assertThat(lease.released).isFalse();
                  h.assertEnded(false, null);
                  h.assertLogged("CH closed", 0);
                })),
        Arguments.of(
            "a lease granted after the end goes straight back",
            new Story(
                Set.of(),
                h -> {
                  h.start(h.get("/"));
                  h.exchange.onDownstreamClosed();
                  FakeLease late = h.grant(new FakeLease(h));
                  assertThat(late.released).isFalse();
                  assertThat(late.sent).isEmpty();
                  h.assertEnded(false, null);
                  h.assertLogged("CC closed", 0);
                })),
        Arguments.of(
            "body chunks that arrive before the lease go first, in order",
            new Story(
                Set.of(),
                h -> {
                  h.start(h.post("/", null));
                  h.body("ab", false);
                  h.body("cd", true);
                  FakeLease lease = h.grant(new FakeLease(h));
                  assertThat(lease.sentBody()).isEqualTo("abcd");
                  assertThat(lease.lastSent()).isTrue();
                  lease.respond(h.ok("done"));
                  assertThat(lease.released).isTrue();
                  h.assertEnded(true, "true/true");
                  h.assertLogged("-- ok", 200);
                })));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stories")
  void transitions(String name, Story story) throws Exception {
    story.script().accept(new Harness(story.offload(), owned));
  }

  /** The exchange under test with its fakes. */
  static final class Harness {
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

    Harness(Set<OffloadPlan.Phase> phases, List<Object> owned) throws InvalidConfigException {
      this(phases, owned, RULE);
    }

    /** {@code rule}: the rule's fields other than name and listener, as YAML. */
    Harness(Set<OffloadPlan.Phase> phases, List<Object> owned, String rule)
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

  /** A ticker moved by hand. */
  static final class FakeTicker implements dev.sluice.sidecar.timer.Ticker {
    private long now = 1_000_000_000L;

    @Override
    public long nanoTime() {
      return now;
    }

    void advance(Duration by) {
      now += by.toNanos();
    }
  }

  /** The downstream: records what it was sent and told. */
  static final class FakeDownstream implements DownstreamSide {
    final EmbeddedChannel channel;
    final List<Object> owned;
    final List<HttpObject> written = new ArrayList<>();
    final Map<String, SpopValue> session = new HashMap<>();
    final List<Refusal> refusals = new ArrayList<>();
    String finished;
    boolean aborted;
    int reads;

    FakeDownstream(EmbeddedChannel channel, List<Object> owned) {
      this.channel = channel;
      this.owned = owned;
    }

    List<Integer> statuses() {
      return written.stream()
          .filter(HttpResponse.class::isInstance)
          .map(m -> ((HttpResponse) m).status().code())
          .toList();
    }

    String text(int index) {
      return ((DefaultFullHttpResponse) written.get(index))
          .content()
          .toString(StandardCharsets.UTF_8);
    }

    @Override
    public ChannelFuture write(HttpObject msg) {
      written.add(msg);
      owned.add(msg);
      return channel.newSucceededFuture();
    }

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void refused(Refusal refusal, String detail) {
      refusals.add(refusal);
    }

    @Override
    public ByteBufAllocator alloc() {
      return channel.alloc();
    }

    @Override
    public EventLoop eventLoop() {
      return channel.eventLoop();
    }

    @Override
    public boolean http2() {
      return false;
    }

    @Override
    public String clientAddress() {
      return "192.0.2.1";
    }

    @Override
    public InetSocketAddress remote() {
      return null;
    }

    @Override
    public InetSocketAddress local() {
      return null;
    }

    @Override
    public Map<String, SpopValue> sessionVariables() {
      return session;
    }

    @Override
    public boolean stopping() {
      return false;
    }

    @Override
    public String scheme() {
      return "http";
    }

    @Override
    public void readRequest() {
      reads++;
    }

    @Override
    public void exchangeFinished(boolean requestComplete, boolean keepAlive) {
      assertThat(finished).as("told once").isNull();
      finished = requestComplete + "/" + keepAlive;
    }

    @Override
    public void abort() {
      aborted = true;
    }
  }

  /** Leases on request: each acquire waits for the test to grant one. */
  static final class FakeUpstream implements LeaseSource {
    final ArrayDeque<Promise<UpstreamLease>> asked = new ArrayDeque<>();
    final RetryBudget budget = new RetryBudget();

    @Override
    public Future<UpstreamLease> acquire(EventLoop loop, EndpointTries tries) {
      Promise<UpstreamLease> promise = loop.newPromise();
      asked.add(promise);
      return promise;
    }

    @Override
    public RetryBudget retryBudget() {
      return budget;
    }
  }

  /** One lease: records what it was sent and how it was given back. */
  static final class FakeLease implements UpstreamLease {
    final Harness harness;
    final List<HttpObject> sent = new ArrayList<>();
    boolean refuses;
    UpstreamExchange bound;
    Boolean released;
    int releases;

    FakeLease(Harness harness) {
      this.harness = harness;
    }

    @Override
    public ChannelFuture write(HttpObject msg) {
      sent.add(msg);
      harness.owned.add(msg);
      if (refuses) {
        return harness.channel.newFailedFuture(new StreamRefusedException("refused by the test"));
      }
      return harness.channel.newSucceededFuture();
    }

    /** The upstream answers {@code msg} (ownership passes to the exchange). */
    void respond(HttpObject msg) {
      bound.onResponseObject(msg);
    }

    String sentBody() {
      StringBuilder body = new StringBuilder();
      for (HttpObject msg : sent) {
        if (msg instanceof HttpContent content && !(msg instanceof HttpRequest)) {
          body.append(content.content().toString(StandardCharsets.US_ASCII));
        }
      }
      return body.toString();
    }

    boolean lastSent() {
      return sent.stream().anyMatch(m -> m instanceof io.netty.handler.codec.http.LastHttpContent);
    }

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void read() {}

    @Override
    public void bind(UpstreamExchange exchange) {
      bound = exchange;
    }

    @Override
    public ByteBufAllocator alloc() {
      return harness.channel.alloc();
    }

    @Override
    public boolean http2() {
      return true;
    }

    @Override
    public @Nullable Channel takeForTunnel() {
      return null;
    }

    @Override
    public boolean acceptsExtendedConnect() {
      return false;
    }

    @Override
    public void tunneled() {}

    @Override
    public void release(boolean reusable) {
      releases++;
      released = reusable;
    }
  }

  /** An offload whose phases finish when the test says. */
  static final class FakeOffload implements Offload {
    final Set<OffloadPlan.Phase> phases;
    final EventLoop loop;
    Promise<PhaseOutcome> running;

    FakeOffload(Set<OffloadPlan.Phase> phases, EventLoop loop) {
      this.phases = phases;
      this.loop = loop;
    }

    @Override
    public boolean has(OffloadPlan.Phase phase) {
      return phases.contains(phase);
    }

    @Override
    public long requestBodyBytes() {
      return 0;
    }

    @Override
    public Future<PhaseOutcome> run(
        OffloadPlan.Phase phase,
        EventExecutor executor,
        SampleSource source,
        RequestTarget target,
        Variables variables) {
      assertThat(running).as("one phase at a time").isNull();
      running = loop.newPromise();
      return running;
    }

    void finish(PhaseOutcome outcome) {
      Promise<PhaseOutcome> phase = running;
      running = null;
      phase.setSuccess(outcome);
    }
  }
}
