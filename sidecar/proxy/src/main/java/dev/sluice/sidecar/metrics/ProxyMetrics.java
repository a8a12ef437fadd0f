package dev.sluice.sidecar.metrics;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.accesslog.AccessLogWriter;
import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.endpoints.EndpointState;
import dev.sluice.sidecar.endpoints.EndpointTable;
import dev.sluice.sidecar.endpoints.OutlierDetector;
import dev.sluice.sidecar.trace.OtlpSpans;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The sidecar's metrics, in one place so names stay consistent: {@code sluice_*}, labels {@code
 * rule}, {@code status}, {@code side} (downstream/upstream), {@code mode} (passed/copied). Meters
 * are resolved once per label set and cached: these calls sit on the per-request and per-chunk
 * paths.
 */
public final class ProxyMetrics implements OutlierDetector.Events {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentMap<RuleStatus, Timer> requests = new ConcurrentHashMap<>();
  private final ConcurrentMap<CounterKey, Counter> counters = new ConcurrentHashMap<>();

  /** Keys of the per-request meters: no string built per lookup (String hashes are cached). */
  private record RuleStatus(String rule, int status) {}

  private record CounterKey(String name, String value1, @Nullable String value2) {}

  private record AgentOutcome(String agent, String outcome) {}

  private final Counter[] bodyBytes = new Counter[4];
  private final Counter pingFrames;
  private final Counter settingsFrames;
  private final Counter readPauses;
  private final ConcurrentMap<AgentOutcome, Timer> offloads = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, BooleanSupplier> agents = new ConcurrentHashMap<>();
  private final Set<String> agentGauges = ConcurrentHashMap.newKeySet();
  private final ConcurrentMap<String, AtomicLong> tunnelsOpen = new ConcurrentHashMap<>();

  public ProxyMetrics() {
    String[] directions = {"request", "response"};
    for (int d = 0; d < 2; d++) {
      for (int c = 0; c < 2; c++) {
        bodyBytes[d * 2 + c] =
            Counter.builder("sluice_body_bytes")
                .description("Body bytes forwarded, by direction and whether they were copied")
                .tag("direction", directions[d])
                .tag("mode", c == 1 ? "copied" : "passed")
                .register(registry);
      }
    }
    pingFrames = controlFrames("ping");
    settingsFrames = controlFrames("settings");
    readPauses =
        Counter.builder("sluice_downstream_read_pauses")
            .description(
                "Times a client connection stopped being read because it left unread what it was"
                    + " sent")
            .register(registry);
  }

  private Counter controlFrames(String type) {
    return Counter.builder("sluice_downstream_control_frames")
        .description("PING and SETTINGS frames HTTP/2 clients sent, each costing an answer")
        .tag("type", type)
        .register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** One finished exchange (answered by the upstream or locally), {@code nanos} after its head. */
  public void request(String rule, int status, long nanos) {
    RuleStatus id = new RuleStatus(rule, status);
    Timer known = requests.get(id); // no capturing lambda per request once the timer exists
    if (known != null) {
      known.record(nanos, TimeUnit.NANOSECONDS);
      return;
    }
    requests
        .computeIfAbsent(
            id,
            key ->
                Timer.builder("sluice_request_duration")
                    .description("Time from request head to the end of the response")
                    .tag("rule", rule)
                    .tag("status", Integer.toString(status))
                    .publishPercentileHistogram()
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Body bytes forwarded; {@code copied}: through the copying path (zeroCopy off). */
  public void bodyBytes(String direction, boolean copied, long bytes) {
    if (bytes > 0) {
      bodyBytes[("request".equals(direction) ? 0 : 2) + (copied ? 1 : 0)].increment((double) bytes);
    }
  }

  /** An upstream failure: connect, closed, timeout, idle, refused. */
  public void upstreamError(String rule, String kind) {
    counter("sluice_upstream_errors", "Upstream failures by kind", "rule", rule, "kind", kind)
        .increment();
  }

  /**
   * A request of {@code rule} tried again under its retry policy; {@code reason}: reset, status,
   * per_try_timeout, backend_request_timeout.
   */
  public void retried(String rule, String reason) {
    counter(
            "sluice_upstream_retries",
            "Requests tried again under the retry policy, by what failed",
            "rule",
            rule,
            "reason",
            reason)
        .increment();
  }

  /**
   * A failure the retry policy would have tried again, passed on instead; {@code why}: attempts
   * (none left), budget (the upstream's retry budget was spent), body (not held whole).
   */
  public void retryForgone(String rule, String why) {
    counter(
            "sluice_upstream_retries_forgone",
            "Retries the policy allowed but that did not happen, by why",
            "rule",
            rule,
            "why",
            why)
        .increment();
  }

  /** A request of {@code rule} refused by its local rate limit (answered 429). */
  public void rateLimited(String rule) {
    counter(
            "sluice_rate_limited",
            "Requests refused by their rule's local rate limit (429)",
            "rule",
            rule,
            null,
            null)
        .increment();
  }

  /**
   * A request of {@code rule} sent to its weighted backend {@code backend} (the backend's index in
   * the rule's list of backends).
   */
  public void backendChosen(String rule, String backend) {
    counter(
            "sluice_backend_requests",
            "Requests by the weighted backend of their rule chosen for them",
            "rule",
            rule,
            "backend",
            backend)
        .increment();
  }

  /**
   * A copy of a request of {@code rule} to one of its mirrors ended as {@code result} ({@code
   * sent}, {@code dropped_full}, {@code dropped_body_too_large}, {@code dropped_incomplete}, {@code
   * failed}).
   */
  public void mirrored(String rule, String result) {
    counter(
            "sluice_mirror_requests",
            "Copies of requests to their rule's mirrors, by how each ended",
            "rule",
            rule,
            "result",
            result)
        .increment();
  }

  /** A tunnel opened after {@code 101 Switching Protocols} on {@code rule}. */
  public void tunnelOpened(String rule) {
    counter(
            "sluice_tunnels_opened",
            "Tunnels opened (WebSocket and other upgrades)",
            "rule",
            rule,
            null,
            null)
        .increment();
    gauge(rule).incrementAndGet();
  }

  /** A tunnel of {@code rule} ended: {@code how} is client, upstream, idle or error. */
  public void tunnelEnded(String rule, String how) {
    counter("sluice_tunnels_ended", "Tunnels ended, by how", "rule", rule, "how", how).increment();
    gauge(rule).decrementAndGet();
  }

  private AtomicLong gauge(String rule) {
    return tunnelsOpen.computeIfAbsent(
        rule,
        r -> {
          AtomicLong open = new AtomicLong();
          Gauge.builder("sluice_tunnels_open", open, AtomicLong::get)
              .description("Tunnels open now")
              .tag("rule", r)
              .register(registry);
          return open;
        });
  }

  /** A stream or exchange ended: complete, closed, aborted or cancelled, per side. */
  public void streamEnded(String side, String how) {
    counter(
            "sluice_streams_ended",
            "Streams/exchanges ended, by side and how",
            "side",
            side,
            "how",
            how)
        .increment();
  }

  /** A request refused before reaching a rule (400, 404, 413, 431). */
  public void rejected(int status) {
    String code = Integer.toString(status);
    counter(
            "sluice_requests_rejected",
            "Requests answered locally before forwarding",
            "status",
            code,
            null,
            null)
        .increment();
  }

  /**
   * A client connection's silence limit ran out ({@code kind}: {@code header_read}, {@code idle},
   * {@code stalled_write}), on {@code listener}.
   */
  public void downstreamTimeout(String listener, String kind) {
    counter(
            "sluice_downstream_timeouts",
            "Client connections (or HTTP/2 streams, for stalled_write) ended by a listener limit",
            "listener",
            listener,
            "kind",
            kind)
        .increment();
  }

  /** A connection accepted past {@code listener}'s maxConnections and closed at once. */
  public void connectionRefused(String listener) {
    counter(
            "sluice_downstream_connections_refused",
            "Client connections closed at accept because the listener had maxConnections open",
            "listener",
            listener,
            null,
            null)
        .increment();
  }

  /**
   * A client connection's certificate on a listener that validates them, by outcome: {@code
   * verified}, {@code no_certificate}, {@code expired}, {@code untrusted}. Under AllowValidOnly the
   * last three are refused handshakes; under AllowInsecureFallback, connections served without an
   * identity.
   */
  public void clientCertificate(String listener, String outcome) {
    counter(
            "sluice_downstream_client_certificates",
            "Client certificates on listeners that validate them, by outcome",
            "listener",
            listener,
            "outcome",
            outcome)
        .increment();
  }

  /**
   * Something of a client's refused, by reason: a stream or request (refused_stream,
   * malformed_request, header_list_too_large, pinned_bytes, stream_error) or the connection
   * (rapid_reset, stream_error_flood, control_frame_flood, frame_flood, protocol_error).
   */
  public void downstreamRefusal(String reason) {
    counter(
            "sluice_downstream_refusals",
            "What the sidecar refused of its clients, by reason",
            "reason",
            reason,
            null,
            null)
        .increment();
  }

  /** A PING ({@code ping}) or SETTINGS frame from an HTTP/2 client. */
  public void downstreamControlFrame(boolean ping) {
    (ping ? pingFrames : settingsFrames).increment();
  }

  /** A client connection stopped being read: it left what it was sent unread. */
  public void downstreamReadPaused() {
    readPauses.increment();
  }

  /** One offload event's outcome: ok, timeout or error. */
  public void offload(String agent, String outcome, long millis) {
    AgentOutcome id = new AgentOutcome(agent, outcome);
    Timer known = offloads.get(id);
    if (known != null) {
      known.record(millis, TimeUnit.MILLISECONDS);
      return;
    }
    offloads
        .computeIfAbsent(
            id,
            key ->
                Timer.builder("sluice_offload_duration")
                    .description("Time from NOTIFY to the event's outcome, by agent and outcome")
                    .tag("agent", agent)
                    .tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .register(registry))
        .record(millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Publishes {@code sluice_buffer_memory_bytes{kind}}: what the allocator of the proxy's channels
   * holds, direct and heap (chunks in use and cached). Netty's direct buffers bypass the JVM's
   * buffer-pool beans, so this is where a buffer leak shows: a figure that only grows.
   */
  public void bufferMemory(ByteBufAllocator allocator) {
    if (allocator instanceof ByteBufAllocatorMetricProvider provider) {
      ByteBufAllocatorMetric metric = provider.metric();
      Gauge.builder("sluice_buffer_memory_bytes", metric, ByteBufAllocatorMetric::usedDirectMemory)
          .description("Memory held by the proxy's buffer allocator, by kind")
          .baseUnit("bytes")
          .tag("kind", "direct")
          .strongReference(true)
          .register(registry);
      Gauge.builder("sluice_buffer_memory_bytes", metric, ByteBufAllocatorMetric::usedHeapMemory)
          .description("Memory held by the proxy's buffer allocator, by kind")
          .baseUnit("bytes")
          .tag("kind", "heap")
          .strongReference(true)
          .register(registry);
    }
  }

  /**
   * Publishes {@code sluice_config_ignored_fields}: how many fields the running config (from the
   * config service) had that this sidecar does not know and ignored — a newer operator's optional
   * fields; its log names them.
   */
  public void ignoredConfigFields(IntSupplier count) {
    Gauge.builder("sluice_config_ignored_fields", count, IntSupplier::getAsInt)
        .description(
            "Fields of the running config this sidecar does not know and ignored (a newer"
                + " operator's optional fields)")
        .strongReference(true)
        .register(registry);
  }

  /**
   * Publishes {@code sluice_agent_available{agent}} (1 while an endpoint passes health checks). The
   * newest client of an agent (a reload builds a new one) is the one reported.
   */
  public void agentAvailability(String agent, BooleanSupplier available) {
    agents.put(agent, available);
    if (agentGauges.add(agent)) { // once per agent name: a reload's new client reuses the gauge
      Gauge.builder(
              "sluice_agent_available",
              agents,
              m -> {
                BooleanSupplier current = m.get(agent);
                return current != null && current.getAsBoolean() ? 1 : 0;
              })
          .description("1 while at least one endpoint of the agent passes its health check")
          .tag("agent", agent)
          .register(registry);
    }
  }

  /** Stops reporting {@code available} for {@code agent} (unless a newer client replaced it). */
  public void removeAgentAvailability(String agent, BooleanSupplier available) {
    agents.remove(agent, available);
  }

  /**
   * Publishes {@code sluice_upstream_endpoints{cluster,state}}: ready, terminating, not_serving as
   * the last endpoint document says (renewed with every document the table applies; clusters it
   * drops disappear), and ejected, read at each scrape from {@code ejected} (the running
   * generation's outlier detection). Ejected endpoints are counted in ready or terminating too.
   */
  public void endpoints(EndpointTable table, ToIntFunction<String> ejected) {
    MultiGauge gauge =
        MultiGauge.builder("sluice_upstream_endpoints")
            .description(
                "Endpoints of each cluster by state, as the last endpoint document says; ejected"
                    + " ones (by outlier detection) are counted in their state too")
            .register(registry);
    table.watch(document -> gauge.register(endpointRows(document, ejected), true));
  }

  private static List<MultiGauge.Row<?>> endpointRows(
      ClusterEndpoints document, ToIntFunction<String> ejected) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    document
        .clusters()
        .forEach(
            (cluster, endpoints) -> {
              for (EndpointState state : EndpointState.values()) {
                long count = endpoints.stream().filter(e -> EndpointState.of(e) == state).count();
                rows.add(
                    MultiGauge.Row.of(Tags.of("cluster", cluster, "state", state.label()), count));
              }
              rows.add(
                  MultiGauge.Row.of(
                      Tags.of("cluster", cluster, "state", "ejected"),
                      () -> ejected.applyAsInt(cluster)));
            });
    return rows;
  }

  /** Outlier detection ejected an endpoint of {@code upstream} (a cluster, or "(static)"). */
  @Override
  public void ejected(String upstream) {
    ejections(upstream, "ejected").increment();
  }

  /** An endpoint of {@code upstream} failed enough to be ejected, but the cap was reached. */
  @Override
  public void ejectionOverCap(String upstream) {
    ejections(upstream, "over_cap").increment();
  }

  /** An ejected endpoint of {@code upstream} returned to service. */
  @Override
  public void returned(String upstream) {
    counter(
            "sluice_upstream_ejection_returns",
            "Ejected endpoints returned to service when their ejection time was up, by cluster",
            "cluster",
            upstream,
            null,
            null)
        .increment();
  }

  private Counter ejections(String upstream, String outcome) {
    return counter(
        "sluice_upstream_ejections",
        "Endpoints outlier detection ejected (ejected), or would have but for"
            + " maxEjectionPercent (over_cap), by cluster",
        "cluster",
        upstream,
        "outcome",
        outcome);
  }

  /** An endpoint document taken ({@code applied}) or refused ({@code rejected}). */
  public void endpointUpdate(String outcome) {
    counter(
            "sluice_endpoint_updates",
            "Endpoint documents by outcome",
            "outcome",
            outcome,
            null,
            null)
        .increment();
  }

  /** A reload attempt: applied, rejected or unchanged. */
  public void reload(String outcome) {
    counter("sluice_reloads", "Reload attempts by outcome", "outcome", outcome, null, null)
        .increment();
  }

  /** Time from a reload's trigger to the new generation serving. */
  public void reloadSwap(long nanos) {
    Timer.builder("sluice_reload_swap_duration")
        .description("Time from reading a new config to the new generation serving")
        .publishPercentileHistogram()
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A replaced generation finished draining. */
  public void drained(SidecarReport.Drain drain) {
    counter(
            "sluice_drain_requests",
            "Requests of replaced generations by how they ended",
            "how",
            "completed",
            null,
            null)
        .increment(drain.completed());
    counter(
            "sluice_drain_requests",
            "Requests of replaced generations by how they ended",
            "how",
            "deadline",
            null,
            null)
        .increment(drain.deadlineExceeded());
    Timer.builder("sluice_drain_duration")
        .description("Time from a swap until the replaced generation closed")
        .register(registry)
        .record(drain.drainMillis(), TimeUnit.MILLISECONDS);
  }

  /** Access-log lines written and dropped (the writer's queue was full). */
  public void accessLog(AccessLogWriter writer) {
    FunctionCounter.builder("sluice_access_log_lines", writer, AccessLogWriter::written)
        .description("Access-log lines written")
        .register(registry);
    FunctionCounter.builder("sluice_access_log_dropped", writer, AccessLogWriter::dropped)
        .description("Access-log lines dropped because the output could not keep up")
        .register(registry);
  }

  /** Counts of span export (when it is on). */
  public void spans(OtlpSpans spans) {
    FunctionCounter.builder("sluice_spans_exported", spans, OtlpSpans::exported)
        .description("Spans the OTLP endpoint accepted")
        .register(registry);
    FunctionCounter.builder("sluice_spans_dropped", spans, OtlpSpans::dropped)
        .description("Spans dropped: the export queue was full or an export failed")
        .register(registry);
    FunctionCounter.builder("sluice_span_export_failures", spans, OtlpSpans::failedExports)
        .description("Span batches whose export failed")
        .register(registry);
  }

  private Counter counter(
      String name,
      String description,
      String key1,
      String value1,
      @Nullable String key2,
      @Nullable String value2) {
    CounterKey id = new CounterKey(name, value1, value2);
    Counter known = counters.get(id); // no capturing lambda per call once the counter exists
    if (known != null) {
      return known;
    }
    return counters.computeIfAbsent(
        id,
        key -> {
          Counter.Builder builder =
              Counter.builder(name).description(description).tag(key1, value1);
          if (key2 != null) {
            builder.tag(key2, requireNonNull(value2)); // given with key2
          }
          return builder.register(registry);
        });
  }
}
