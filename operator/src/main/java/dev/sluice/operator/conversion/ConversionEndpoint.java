package dev.sluice.operator.conversion;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.sluice.operator.http.PlainReplies;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /convert}: the CRD conversion webhook the API server calls to read and write
 * ProxyRoutes in a version other than the stored one. A malformed review gets 400 naming what was
 * expected; a review whose objects cannot be converted gets 200 with a Failure result.
 */
public final class ConversionEndpoint implements HttpHandler {
  public static final String PATH = "/convert";

  /** The API server sends at most a list's worth of objects; 3 MiB is etcd's object limit twice. */
  private static final int MAX_BODY = 6 * 1024 * 1024;

  private final ConversionReviews reviews;

  public ConversionEndpoint(ConversionReviews reviews) {
    this.reviews = reviews;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        PlainReplies.send(
            exchange, 405, exchange.getRequestMethod() + " " + PATH + " (expected: POST)");
        return;
      }
      byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
      if (body.length > MAX_BODY) {
        PlainReplies.send(exchange, 413, "ConversionReview larger than " + MAX_BODY + " bytes");
        return;
      }
      String answer;
      try {
        answer = reviews.answer(new String(body, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        PlainReplies.send(exchange, 400, String.valueOf(e.getMessage()));
        return;
      }
      byte[] json = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, json.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(json);
      }
    }
  }
}
