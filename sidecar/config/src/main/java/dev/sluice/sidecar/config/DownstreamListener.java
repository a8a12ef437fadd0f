package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * Where the sidecar accepts client connections.
 *
 * @param name unique name; rules refer to it
 * @param address host:port to bind
 * @param protocol HTTP (HTTP/1.1 and h2c prior knowledge, per connection) or HTTPS (TLS, ALPN h2
 *     and http/1.1)
 * @param tls certificate and key; required for HTTPS
 * @param maxHeaderBytes largest request head (HTTP/1.1 request line plus headers, or HTTP/2 header
 *     list); larger gets 431. Default 32768.
 * @param limits header-read, idle and stalled-write timeouts and the connection cap (defaults when
 *     absent)
 * @param http2 limits on each HTTP/2 client connection; {@link Http2Limits#DEFAULT} when null.
 *     Absent stays absent (no defaults written in): a config that does not set it reads and hashes
 *     as before, so an operator that never sets it renders configs an older sidecar still accepts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DownstreamListener(
    String name,
    String address,
    Protocol protocol,
    @Nullable ServerTls tls,
    Integer maxHeaderBytes,
    ListenerLimits limits,
    @Nullable Http2Limits http2) {
  static final int DEFAULT_MAX_HEADER_BYTES = 32 * 1024;

  public DownstreamListener {
    protocol = protocol == null ? Protocol.HTTP : protocol;
    maxHeaderBytes = maxHeaderBytes == null ? DEFAULT_MAX_HEADER_BYTES : maxHeaderBytes;
    limits = limits == null ? ListenerLimits.DEFAULT : limits;
  }

  /** The HTTP/2 limits this listener runs with: {@code http2}, or the defaults. */
  public Http2Limits http2OrDefault() {
    return http2 == null ? Http2Limits.DEFAULT : http2;
  }

  /** Downstream protocols. */
  public enum Protocol {
    HTTP,
    HTTPS
  }
}
