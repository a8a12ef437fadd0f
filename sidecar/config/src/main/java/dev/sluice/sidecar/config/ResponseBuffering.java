package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * How much of its responses an HTTP/2 client connection may leave in the sidecar, and for how long
 * a client may keep a stream's flow-control window shut. Both protect the sidecar from a client
 * that asks for large responses and never reads them; a stream they end is reset with
 * ENHANCE_YOUR_CALM and counted in {@code sluice_downstream_resets_total{reason}}.
 *
 * @param maxBytesPerConnection response bytes one HTTP/2 client connection may pin: queued for the
 *     client, plus received from the upstream and not yet taken. Over it, the connection's streams
 *     holding the most are reset until it fits (reason {@code pinned-bytes}). Default 4194304 (4
 *     MiB).
 * @param zeroWindowTimeout how long a stream may have response bytes waiting while the client's
 *     flow-control window for it (the stream's or the connection's) stays at zero, without a byte
 *     going out; then it is reset (reason {@code zero-window}). Default 30s.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResponseBuffering(Long maxBytesPerConnection, Duration zeroWindowTimeout) {
  public static final long DEFAULT_MAX_BYTES_PER_CONNECTION = 4L << 20;
  public static final Duration DEFAULT_ZERO_WINDOW_TIMEOUT = Duration.ofSeconds(30);

  /** Smallest cap: above what one stream can pin (a queue, a read-ahead window and a frame). */
  static final long MIN_MAX_BYTES_PER_CONNECTION = 1L << 20;

  static final long MAX_MAX_BYTES_PER_CONNECTION = 1L << 30;

  public static final ResponseBuffering DEFAULT =
      new ResponseBuffering(DEFAULT_MAX_BYTES_PER_CONNECTION, DEFAULT_ZERO_WINDOW_TIMEOUT);

  public ResponseBuffering {
    maxBytesPerConnection =
        maxBytesPerConnection == null ? DEFAULT_MAX_BYTES_PER_CONNECTION : maxBytesPerConnection;
    zeroWindowTimeout = zeroWindowTimeout == null ? DEFAULT_ZERO_WINDOW_TIMEOUT : zeroWindowTimeout;
  }
}
