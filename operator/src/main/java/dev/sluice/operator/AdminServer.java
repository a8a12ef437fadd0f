package dev.sluice.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.operator.http.PlainReplies;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The operator's plain-HTTP admin endpoint for the kubelet and Prometheus: {@code /healthz}
 * (liveness: the process answers), {@code /readyz} (the config service and webhook listen and the
 * informers synced) and {@code /metrics} (Prometheus text format).
 */
final class AdminServer implements AutoCloseable {
  static final int BACKLOG = 16;

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(2);

  /** Serves on {@code server}: bound, not yet started (this starts it). */
  AdminServer(HttpServer server, PrometheusMeterRegistry registry, BooleanSupplier ready) {
    this.server = server;
    server.setExecutor(threads);
    server.createContext("/healthz", exchange -> reply(exchange, 200, "ok"));
    server.createContext(
        "/readyz",
        exchange -> {
          boolean isReady = ready.getAsBoolean();
          reply(exchange, isReady ? 200 : 503, isReady ? "ready" : "not ready: informers syncing");
        });
    server.createContext(
        "/metrics",
        exchange -> {
          try (exchange) {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
        });
    server.start();
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** One sentence and a newline, as plain text; the exchange is closed after it. */
  private static void reply(HttpExchange exchange, int status, String text) throws IOException {
    try (exchange) {
      PlainReplies.send(exchange, status, text);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
