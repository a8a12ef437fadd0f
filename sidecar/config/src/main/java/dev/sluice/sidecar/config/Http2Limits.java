package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * What one HTTP/2 client connection may ask of a listener. A field left out takes its default.
 *
 * @param maxConcurrentStreams streams a client may have open at once, advertised as {@code
 *     SETTINGS_MAX_CONCURRENT_STREAMS}; a stream past it is refused with RST_STREAM REFUSED_STREAM
 *     and the connection serves on. Default 100.
 * @param maxResetStreams streams a client may reset (RST_STREAM), and, counted apart, streams the
 *     sidecar may have to reset for the client's errors, within {@code resetWindow}; one more
 *     closes the connection with GOAWAY ENHANCE_YOUR_CALM (rapid reset). Streams refused for {@code
 *     maxConcurrentStreams} never count. Default 200.
 * @param resetWindow the window {@code maxResetStreams} is counted over, in whole seconds. Default
 *     30s.
 * @param maxBufferedResponseBytes response bytes one client connection may pin in the sidecar:
 *     queued for the client, plus received from the upstream and not yet taken. Over it, the
 *     connection's streams holding the most are reset with ENHANCE_YOUR_CALM until it fits ({@code
 *     sluice_downstream_resets_total{reason="pinned-bytes"}}). Default 4194304 (4 MiB).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Http2Limits(
    Integer maxConcurrentStreams,
    Integer maxResetStreams,
    Duration resetWindow,
    Long maxBufferedResponseBytes) {
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
  public static final int DEFAULT_MAX_RESET_STREAMS = 200;
  public static final Duration DEFAULT_RESET_WINDOW = Duration.ofSeconds(30);
  public static final long DEFAULT_MAX_BUFFERED_RESPONSE_BYTES = 4L << 20;

  /** Smallest cap: above what one stream can pin (a queue, a read-ahead window and a frame). */
  static final long MIN_MAX_BUFFERED_RESPONSE_BYTES = 1L << 20;

  static final long MAX_MAX_BUFFERED_RESPONSE_BYTES = 1L << 30;

  /** Every field at its default: what a listener without {@code http2} runs with. */
  public static final Http2Limits DEFAULT =
      new Http2Limits(
          DEFAULT_MAX_CONCURRENT_STREAMS,
          DEFAULT_MAX_RESET_STREAMS,
          DEFAULT_RESET_WINDOW,
          DEFAULT_MAX_BUFFERED_RESPONSE_BYTES);

  public Http2Limits {
    maxConcurrentStreams =
        maxConcurrentStreams == null ? DEFAULT_MAX_CONCURRENT_STREAMS : maxConcurrentStreams;
    maxResetStreams = maxResetStreams == null ? DEFAULT_MAX_RESET_STREAMS : maxResetStreams;
    resetWindow = resetWindow == null ? DEFAULT_RESET_WINDOW : resetWindow;
    maxBufferedResponseBytes =
        maxBufferedResponseBytes == null
            ? DEFAULT_MAX_BUFFERED_RESPONSE_BYTES
            : maxBufferedResponseBytes;
  }
}
