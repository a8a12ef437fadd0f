package dev.sluice.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(2);

  public AdminServer(
      InetSocketAddress address, PrometheusMeterRegistry registry, BooleanSupplier ready)
      throws IOException {
    server = HttpServer.create(address, 16);
    server.setExecutor(threads);
    server.createContext("/healthz", exchange -> text(exchange, 200, "ok"));
    server.createContext(
        "/readyz",
        exchange -> {
          boolean isReady = ready.getAsBoolean();
          text(exchange, isReady ? 200 : 503, isReady ? "ready" : "not ready: informers syncing");
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

  /** One sentence and a newline, as plain text. */
  private static void text(HttpExchange exchange, int status, String text) throws IOException {
    try (exchange) {
      byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
