package dev.sluice.sidecar.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Span export over OTLP/HTTP with the OpenTelemetry SDK's exporter: an event loop only offers a
 * finished exchange to a bounded queue (full: dropped and counted, never waited for); a thread of
 * its own turns them into the SDK's span data and exports them in batches, waiting for each batch
 * at most the export timeout. A collector that is down costs dropped spans, never a request.
 * Closing exports what is queued, then shuts the exporter down.
 */
public final class OtlpSpans implements Spans, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OtlpSpans.class);

  /** Spans waiting at most: a few MiB at a few hundred bytes each. */
  public static final int DEFAULT_CAPACITY = 8192;

  private static final int BATCH = 512;
  private static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(10);

  private final BlockingQueue<ExchangeSpan> queue;
  private final SpanExporter exporter;
  private final Resource resource;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder exported = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final Thread thread;
  private volatile boolean closing;

  public OtlpSpans(SpanExporter exporter, Resource resource, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected at least 1)");
    }
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.exporter = exporter;
    this.resource = resource;
    this.thread = new Thread(this::run, "sluice-span-export");
    this.thread.setDaemon(true);
    this.thread.start();
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
    if (closing || !queue.offer(span)) {
      dropped.increment();
    }
  }

  /** Spans dropped: the queue was full, the exporter closing, or an export failed. */
  public long dropped() {
    return dropped.sum();
  }

  /** Spans the endpoint accepted. */
  public long exported() {
    return exported.sum();
  }

  /** Batches whose export failed (their spans count as dropped too). */
  public long failedExports() {
    return failed.sum();
  }

  private void run() {
    List<ExchangeSpan> batch = new ArrayList<>(BATCH);
    List<SpanData> data = new ArrayList<>(BATCH);
    boolean failing = false;
    while (true) {
      try {
        ExchangeSpan first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && queue.isEmpty()) {
            return;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        for (ExchangeSpan span : batch) {
          data.add(new ExchangeSpanData(span, resource));
        }
        CompletableResultCode result = exporter.export(data);
        result.join(EXPORT_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        if (result.isSuccess()) {
          exported.add(batch.size());
          failing = false;
        } else {
          dropped.add(batch.size());
          failed.increment();
          if (!failing) {
            log.warn(
                "span export: a batch of {} failed; dropping spans until one passes", batch.size());
            failing = true;
          }
        }
        batch.clear();
        data.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Exports what is queued (waiting at most {@code timeoutMillis}), then shuts down. */
  public void close(long timeoutMillis) {
    closing = true;
    try {
      thread.join(timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exporter.shutdown().join(1, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    close(5000);
  }
}
