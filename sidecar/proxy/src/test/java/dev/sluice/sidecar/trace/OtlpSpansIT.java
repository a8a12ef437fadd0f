package dev.sluice.sidecar.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.sidecar.testing.OtlpReceiver;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenTelemetry SDK's OTLP/HTTP exporter, fed by {@link OtlpSpans}, to a receiver that decodes
 * what a collector would: the span's ids, parent, times, attributes and status arrive as the
 * exchange said them, and a collector that is down costs dropped spans, counted, nothing else.
 */
class OtlpSpansIT {
  private static final HexFormat HEX = HexFormat.of();

  private OtlpReceiver receiver;
  private OtlpSpans spans;

  @BeforeEach
  void start() throws Exception {
    receiver = new OtlpReceiver();
    spans =
        OtlpSpans.otlpHttp(
            receiver.endpoint(),
            "shop-sidecar",
            Map.of("POD_NAME", "shop-7f9c", "POD_NAMESPACE", "shop"));
  }

  @AfterEach
  void stop() {
    spans.close();
    receiver.close();
  }

  /** An exchange's span; {@code caller} null: a trace this exchange started (a root span). */
  private static ExchangeSpan exchange(TraceParent caller, int status, String termination) {
    return new ExchangeSpan(
        caller == null ? TraceParent.start(true) : caller.child(),
        caller,
        1_700_000_000_000_000_000L,
        1_700_000_000_250_000_000L,
        "web",
        "shop.cart",
        "POST",
        "http",
        "shop.example",
        "/cart",
        "2",
        "192.0.2.7",
        status,
        "10.0.0.5:8080",
        termination,
        termination.equals("--") ? "-" : "timeout_request",
        status >= 500 || !termination.equals("--"));
  }

  @Test
  void aSpanArrivesWithItsIdsParentTimesAttributesAndResource() {
    TraceParent caller =
        TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    ExchangeSpan sent = exchange(caller, 200, "--");

    spans.offer(sent);

    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.spans().size() == 1);
    OtlpReceiver.Received received = receiver.spans().get(0);
    Span span = received.span();
    assertThat(HEX.formatHex(span.getTraceId().toByteArray()))
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(HEX.formatHex(span.getSpanId().toByteArray()))
        .isEqualTo(sent.context().parentIdHex());
    assertThat(HEX.formatHex(span.getParentSpanId().toByteArray())).isEqualTo("00f067aa0ba902b7");
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(span.getName()).isEqualTo("POST shop.cart");
    assertThat(span.getStartTimeUnixNano()).isEqualTo(1_700_000_000_000_000_000L);
    assertThat(span.getEndTimeUnixNano()).isEqualTo(1_700_000_000_250_000_000L);
    assertThat(span.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);
    assertThat(attributes(span.getAttributesList()))
        .containsEntry("http.request.method", "POST")
        .containsEntry("url.path", "/cart")
        .containsEntry("url.scheme", "http")
        .containsEntry("server.address", "shop.example")
        .containsEntry("http.response.status_code", "200")
        .containsEntry("network.protocol.version", "2")
        .containsEntry("client.address", "192.0.2.7")
        .containsEntry("sluice.listener", "web")
        .containsEntry("sluice.rule", "shop.cart")
        .containsEntry("sluice.upstream", "10.0.0.5:8080")
        .containsEntry("sluice.termination", "--");
    assertThat(attributes(received.resource().getResource().getAttributesList()))
        .containsEntry("service.name", "shop-sidecar")
        .containsEntry("k8s.pod.name", "shop-7f9c")
        .containsEntry("k8s.namespace.name", "shop");
    // counted once the exporter's thread has the collector's answer, after the collector has it
    await().atMost(Duration.ofSeconds(10)).until(() -> spans.exported() == 1);
  }

  @Test
  void aFailedExchangeIsAnErrorSpan() {
    spans.offer(exchange(null, 504, "UH"));

    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.spans().size() == 1);
    Span span = receiver.spans().get(0).span();
    assertThat(span.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(span.getParentSpanId().isEmpty()).as("a root: no parent").isTrue();
    assertThat(attributes(span.getAttributesList()))
        .containsEntry("sluice.termination", "UH")
        .containsEntry("sluice.cause", "timeout_request");
  }

  /** As the SDK's batch processor: a trickle of spans is one export, not one each. */
  @Test
  void spansOfferedOneByOneGoOutInOneExport() {
    for (int i = 0; i < 3; i++) {
      spans.offer(exchange(TraceParent.start(true), 200, "--"));
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.spans().size() == 3);
    assertThat(receiver.requests()).isEqualTo(1);
  }

  @Test
  void closingExportsWhatIsWaitingAtOnce() {
    spans.offer(exchange(TraceParent.start(true), 200, "--"));

    spans.close(30_000);

    assertThat(receiver.spans()).hasSize(1);
    assertThat(spans.exported()).isEqualTo(1);
  }

  @Test
  void aCollectorThatIsDownCostsCountedDropsAndExportResumesAfter() {
    receiver.unavailable(true);
    spans.offer(exchange(TraceParent.start(true), 200, "--"));
    await().atMost(Duration.ofSeconds(30)).until(() -> spans.dropped() == 1);
    assertThat(spans.failedExports()).isEqualTo(1);

    receiver.unavailable(false);
    spans.offer(exchange(TraceParent.start(true), 200, "--"));
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.spans().size() == 1);
    // counted once the exporter's thread has the collector's answer, after the collector has it
    await().atMost(Duration.ofSeconds(10)).until(() -> spans.exported() == 1);
  }

  @Test
  void aFullQueueDropsWithoutWaiting() {
    OtlpSpans tiny =
        new OtlpSpans(
            io.opentelemetry.sdk.trace.export.SpanExporter.composite(), // accepts, exports nowhere
            io.opentelemetry.sdk.resources.Resource.empty(),
            1);
    try {
      long before = System.nanoTime();
      for (int i = 0; i < 10_000; i++) {
        tiny.offer(exchange(TraceParent.start(true), 200, "--"));
      }
      assertThat(Duration.ofNanos(System.nanoTime() - before))
          .as("offering never waits for the exporter")
          .isLessThan(Duration.ofSeconds(5));
      assertThat(tiny.dropped()).isPositive();
    } finally {
      tiny.close();
    }
  }

  private static Map<String, String> attributes(java.util.List<KeyValue> list) {
    return list.stream()
        .collect(
            Collectors.toMap(
                KeyValue::getKey,
                kv ->
                    kv.getValue().hasIntValue()
                        ? Long.toString(kv.getValue().getIntValue())
                        : kv.getValue().getStringValue()));
  }
}
