package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * How long a client connection of one listener may stay silent, and how many may be open at once.
 * Each limit is about silence, never about total duration: an upload or a download that keeps
 * moving runs as long as it needs (its route's timeouts apply to it).
 *
 * @param headerReadTimeout longest time from the first byte of a request (from the accept, for a
 *     connection's first request) until its head is complete; exceeded: HTTP/1.1 gets {@code 408}
 *     and the connection closes, an HTTP/2 connection that has not sent its preface and SETTINGS
 *     gets GOAWAY and closes, a connection whose protocol is still unknown just closes (default
 *     10s)
 * @param idleTimeout longest time a connection stays open with no request in flight (HTTP/1.1
 *     keep-alive between requests, HTTP/2 with no open stream); exceeded: closed (HTTP/2 after
 *     GOAWAY NO_ERROR) (default 60s)
 * @param stalledWriteTimeout longest time response bytes may wait for a client that reads nothing
 *     (socket not draining, or HTTP/2 window at 0); exceeded: the connection closes, or on HTTP/2 a
 *     stream that alone is stalled is reset with CANCEL (default 30s)
 * @param maxConnections most connections open at once; past it a new connection is accepted and
 *     closed at once, the open ones are unaffected (default 10000)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ListenerLimits(
    Duration headerReadTimeout,
    Duration idleTimeout,
    Duration stalledWriteTimeout,
    Integer maxConnections) {
  static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
  static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  static final Duration DEFAULT_STALLED_WRITE_TIMEOUT = Duration.ofSeconds(30);
  static final int DEFAULT_MAX_CONNECTIONS = 10_000;

  public static final ListenerLimits DEFAULT =
      new ListenerLimits(
          DEFAULT_HEADER_READ_TIMEOUT,
          DEFAULT_IDLE_TIMEOUT,
          DEFAULT_STALLED_WRITE_TIMEOUT,
          DEFAULT_MAX_CONNECTIONS);

  public ListenerLimits {
    headerReadTimeout = headerReadTimeout == null ? DEFAULT_HEADER_READ_TIMEOUT : headerReadTimeout;
    idleTimeout = idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout;
    stalledWriteTimeout =
        stalledWriteTimeout == null ? DEFAULT_STALLED_WRITE_TIMEOUT : stalledWriteTimeout;
    maxConnections = maxConnections == null ? DEFAULT_MAX_CONNECTIONS : maxConnections;
  }
}
