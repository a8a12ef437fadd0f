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
 * @param responseBuffering what an HTTP/2 client connection may leave unread in the sidecar, and
 *     for how long a stream's window may stay shut
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DownstreamListener(
    String name,
    String address,
    Protocol protocol,
    @Nullable ServerTls tls,
    Integer maxHeaderBytes,
    ResponseBuffering responseBuffering) {
  static final int DEFAULT_MAX_HEADER_BYTES = 32 * 1024;

  public DownstreamListener {
    protocol = protocol == null ? Protocol.HTTP : protocol;
    maxHeaderBytes = maxHeaderBytes == null ? DEFAULT_MAX_HEADER_BYTES : maxHeaderBytes;
    responseBuffering = responseBuffering == null ? ResponseBuffering.DEFAULT : responseBuffering;
  }

  /** Downstream protocols. */
  public enum Protocol {
    HTTP,
    HTTPS
  }
}
