package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A rule's timeouts.
 *
 * @param connect opening an upstream connection; exceeded: 503 (default 5s)
 * @param request end of request to response headers; exceeded: 504 (default 60s)
 * @param idle longest pause in a body transfer before the exchange is reset (default 5m)
 * @param tunnelIdle longest time a tunnel (after {@code 101 Switching Protocols}) may carry no byte
 *     in either direction before both connections are closed (default 1h)
 * @param exchange the whole exchange as the client sees it, from the request head's arrival until
 *     the response's last byte went downstream, retries included (Gateway API's {@code
 *     timeouts.request}; contract 4); exceeded before the response started: 504, after: the
 *     exchange is cut (HTTP/1.1 connection closed, HTTP/2 stream reset). Absent: no such bound
 * @param backendRequest one try upstream, from when its request starts going upstream until its
 *     response is complete (Gateway API's {@code timeouts.backendRequest}; contract 4); each try
 *     has its own. At most {@code exchange}. Absent: no such bound
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Timeouts(
    Duration connect,
    Duration request,
    Duration idle,
    Duration tunnelIdle,
    @Nullable Duration exchange,
    @Nullable Duration backendRequest) {
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

  /** Timeouts without the whole-exchange and per-try bounds of contract 4. */
  public Timeouts(Duration connect, Duration request, Duration idle, Duration tunnelIdle) {
    this(connect, request, idle, tunnelIdle, null, null);
  }
}
