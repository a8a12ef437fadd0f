package dev.sluice.operator.inject;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.sluice.operator.conversion.ConversionEndpoint;
import dev.sluice.operator.conversion.ConversionReviews;
import dev.sluice.operator.conversion.Conversions;
import dev.sluice.operator.http.PlainReplies;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * Serves the mutating webhook over HTTPS at {@code POST /mutate-pods}, and the ProxyRoute
 * conversion webhook at {@code POST /convert} ({@link ConversionEndpoint}) on the same port and
 * certificate. Malformed reviews get 400 with a sentence naming what was expected; the API server's
 * failure policy decides what happens to the pod then.
 */
public final class WebhookServer implements AutoCloseable {
  public static final String PATH = "/mutate-pods";

  /** Pending connections the socket queues. */
  public static final int BACKLOG = 64;

  private static final int MAX_BODY = 3 * 1024 * 1024;

  private final HttpsServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);

  /**
   * {@code answered}: told of every answer (injected: publish the CA to the namespace; skipped: an
   * event on the pod's owner).
   */
  public WebhookServer(
      InetSocketAddress address,
      SSLContext tls,
      AdmissionWebhook webhook,
      Consumer<AdmissionWebhook.Answer> answered)
      throws IOException {
    this(HttpsServer.create(address, BACKLOG), tls, webhook, answered);
  }

  /** Serves on {@code server}: bound, not yet started (this starts it). */
  public WebhookServer(
      HttpsServer server,
      SSLContext tls,
      AdmissionWebhook webhook,
      Consumer<AdmissionWebhook.Answer> answered) {
    this.server = server;
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.setExecutor(threads);
    server.createContext(PATH, exchange -> handle(exchange, webhook, answered));
    server.createContext(
        ConversionEndpoint.PATH,
        new ConversionEndpoint(new ConversionReviews(Conversions::standard)));
    server.start();
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void handle(
      HttpExchange exchange, AdmissionWebhook webhook, Consumer<AdmissionWebhook.Answer> answered)
      throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        PlainReplies.send(
            exchange, 405, exchange.getRequestMethod() + " " + PATH + " (expected: POST)");
        return;
      }
      byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
      if (body.length > MAX_BODY) {
        PlainReplies.send(exchange, 413, "AdmissionReview larger than " + MAX_BODY + " bytes");
        return;
      }
      AdmissionWebhook.Answer answer;
      try {
        answer = webhook.review(new String(body, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        PlainReplies.send(exchange, 400, String.valueOf(e.getMessage()));
        return;
      }
      try {
        answered.accept(answer);
      } catch (RuntimeException e) {
        // Bookkeeping must never fail an admission.
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      byte[] json = answer.json().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, json.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(json);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
