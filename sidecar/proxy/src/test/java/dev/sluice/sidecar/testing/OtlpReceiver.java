package dev.sluice.sidecar.testing;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver on loopback, as strict as a collector about what it takes: POST to
 * {@code /v1/traces} with {@code content-type: application/x-protobuf} and an {@code
 * ExportTraceServiceRequest} body (gzip when so encoded), else 404/415/400. Keeps every span with
 * its resource, and can be told to answer 503 for a while (a collector that is down).
 */
public final class OtlpReceiver implements AutoCloseable {
  /** A received span and the resource it came with. */
  public record Received(Span span, ResourceSpans resource) {}

  private final HttpServer server;
  private final List<Received> spans = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile boolean unavailable;

  public OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newSingleThreadExecutor());
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            requests.incrementAndGet();
            if (!"/v1/traces".equals(exchange.getRequestURI().getPath())
                || !"POST".equals(exchange.getRequestMethod())) {
              exchange.sendResponseHeaders(404, -1);
              return;
            }
            if (!"application/x-protobuf"
                .equals(exchange.getRequestHeaders().getFirst("content-type"))) {
              exchange.sendResponseHeaders(415, -1);
              return;
            }
            if (unavailable) {
              exchange.getRequestBody().readAllBytes();
              exchange.sendResponseHeaders(503, -1);
              return;
            }
            InputStream body = exchange.getRequestBody();
            if ("gzip".equals(exchange.getRequestHeaders().getFirst("content-encoding"))) {
              body = new GZIPInputStream(body);
            }
            ExportTraceServiceRequest request;
            try {
              request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
            } catch (IOException e) {
              exchange.sendResponseHeaders(400, -1);
              return;
            }
            for (ResourceSpans resource : request.getResourceSpansList()) {
              for (ScopeSpans scope : resource.getScopeSpansList()) {
                for (Span span : scope.getSpansList()) {
                  spans.add(new Received(span, resource));
                }
              }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().add("content-type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
          }
        });
    server.start();
  }

  /** The endpoint to export to. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces");
  }

  public List<Received> spans() {
    return new ArrayList<>(spans);
  }

  public int requests() {
    return requests.get();
  }

  /** From now on, 503 to every export (true) or accept them again (false). */
  public void unavailable(boolean down) {
    unavailable = down;
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
