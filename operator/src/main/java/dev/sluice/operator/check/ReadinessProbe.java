package dev.sluice.operator.check;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * Asks the operator's admin endpoint {@code /readyz} until it answers 200 or the time is up: an
 * operator that was just installed may still be syncing its informers (503), or its pods may not be
 * reachable yet.
 */
final class ReadinessProbe {
  private static final Duration BETWEEN_TRIES = Duration.ofSeconds(1);

  private final URI readyz;
  private final Duration within;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  ReadinessProbe(URI readyz, Duration within) {
    this.readyz = readyz;
    this.within = within;
  }

  ProbeResult run() throws InterruptedException {
    Instant deadline = Instant.now().plus(within);
    String last = "no answer";
    while (true) {
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.ofString());
        String body = response.body().strip();
        if (response.statusCode() == 200) {
          return ProbeResult.ok("readiness: " + readyz + " answered 200 " + body);
        }
        last = response.statusCode() + " " + body;
      } catch (IOException e) {
        last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      }
      if (Instant.now().plus(BETWEEN_TRIES).isAfter(deadline)) {
        return ProbeResult.failed(
            "readiness: "
                + readyz
                + " answered "
                + last
                + " (expected: 200 within "
                + within.toSeconds()
                + "s)");
      }
      Thread.sleep(BETWEEN_TRIES.toMillis());
    }
  }
}
