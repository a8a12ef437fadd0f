package dev.sluice.sidecar.trace;

import dev.sluice.sidecar.batch.BatchQueue;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Span export over OTLP/HTTP with the OpenTelemetry SDK's exporter: an event loop only offers a
 * finished exchange to a bounded queue (full: dropped and counted, never waited for); a thread of
 * its own turns them into the SDK's span data and exports them in batches, as the SDK's
 * BatchSpanProcessor does: when {@value #BATCH} spans are waiting, or {@link #SCHEDULE_DELAY} after
 * the first of a batch was taken, waiting for each export at most the export timeout. Exporting
 * rarely matters more than exporting at once: each export costs the exporter's HTTP machinery
 * whatever its size, and with the sidecar's C2-only JIT that rarely-run code stays interpreted
 * (bench/results/2026-12-07-observability.md). A collector that is down costs dropped spans, never
 * a request. Closing exports what is queued at once, then shuts the exporter down.
 */
public final class OtlpSpans implements Spans, AutoCloseable {
  /** Spans waiting at most: a few MiB at a few hundred bytes each. */
  public static final int DEFAULT_CAPACITY = 8192;

  /** Spans in one export at most (the SDK's default). */
  public static final int BATCH = 512;

  /**
   * How long the first span of a batch waits for more at most: a collector sees a span within about
   * 2 s of its exchange's end, and a sidecar sampling a few hundred spans a second exports about
   * once every 2 s instead of several times a second (the SDK's default is 5 s).
   */
  public static final Duration SCHEDULE_DELAY = Duration.ofSeconds(2);

  private static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(10);

  private final SpanExporter exporter;
  private final Resource resource;
  private final List<SpanData> data = new ArrayList<>(BATCH);
  private final BatchQueue<ExchangeSpan> queue;

  public OtlpSpans(SpanExporter exporter, Resource resource, int capacity) {
    this.exporter = exporter;
    this.resource = resource;
    this.queue =
        new BatchQueue<>("sluice-span-export", capacity, BATCH, SCHEDULE_DELAY, this::export);
  }

  /**
   * Spans to an OTLP/HTTP endpoint (a collector's {@code /v1/traces}), as {@code service}, with the
   * pod's name and namespace as resource attributes when {@code environment} has them ({@code
   * POD_NAME}, {@code POD_NAMESPACE}, which the injector sets).
   */
  public static OtlpSpans otlpHttp(URI endpoint, String service, Map<String, String> environment) {
    var resource = Attributes.builder().put(AttributeKey.stringKey("service.name"), service);
    String pod = environment.get("POD_NAME");
    if (pod != null && !pod.isEmpty()) {
      resource.put(AttributeKey.stringKey("k8s.pod.name"), pod);
    }
    String namespace = environment.get("POD_NAMESPACE");
    if (namespace != null && !namespace.isEmpty()) {
      resource.put(AttributeKey.stringKey("k8s.namespace.name"), namespace);
    }
    SpanExporter exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(endpoint.toString())
            .setTimeout(EXPORT_TIMEOUT)
            .build();
    return new OtlpSpans(
        exporter, Resource.getDefault().merge(Resource.create(resource.build())), DEFAULT_CAPACITY);
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void offer(ExchangeSpan span) {
    queue.offer(span);
  }

  /** Spans dropped: the queue was full, the exporter closing, or an export failed. */
  public long dropped() {
    return queue.dropped();
  }

  /** Spans the endpoint accepted. */
  public long exported() {
    return queue.delivered();
  }

  /** Batches whose export failed (their spans count as dropped too). */
  public long failedExports() {
    return queue.failedBatches();
  }

  /** On the queue's thread. */
  private void export(List<ExchangeSpan> batch, boolean drained) throws IOException {
    data.clear();
    for (ExchangeSpan span : batch) {
      data.add(new ExchangeSpanData(span, resource));
    }
    CompletableResultCode result = exporter.export(data);
    result.join(EXPORT_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    data.clear();
    if (!result.isSuccess()) {
      Throwable why = result.getFailureThrowable();
      throw new IOException(
          "the exporter did not deliver them" + (why == null ? "" : ": " + why), why);
    }
  }

  /** Exports what is queued (waiting at most {@code timeoutMillis}), then shuts down. */
  public void close(long timeoutMillis) {
    queue.close(timeoutMillis);
    exporter.shutdown().join(1, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    close(5000);
  }
}
