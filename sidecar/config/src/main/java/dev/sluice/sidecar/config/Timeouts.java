package dev.sluice.sidecar.config;

import java.time.Duration;

/**
 * A rule's timeouts.
 *
 * @param connect opening an upstream connection; exceeded: 503 (default 5s)
 * @param request end of request to response headers; exceeded: 504 (default 60s)
 * @param idle longest pause in a body transfer before the exchange is reset (default 5m)
 * @param tunnelIdle longest time a tunnel (after {@code 101 Switching Protocols}) may carry no byte
 *     in either direction before both connections are closed (default 1h)
 */
public record Timeouts(Duration connect, Duration request, Duration idle, Duration tunnelIdle) {
  public static final Timeouts DEFAULT =
      new Timeouts(
          Duration.ofSeconds(5),
          Duration.ofSeconds(60),
          Duration.ofMinutes(5),
          Duration.ofHours(1));

  public Timeouts {
    connect = connect == null ? Duration.ofSeconds(5) : connect;
    request = request == null ? Duration.ofSeconds(60) : request;
    idle = idle == null ? Duration.ofMinutes(5) : idle;
    tunnelIdle = tunnelIdle == null ? Duration.ofHours(1) : tunnelIdle;
  }
}
