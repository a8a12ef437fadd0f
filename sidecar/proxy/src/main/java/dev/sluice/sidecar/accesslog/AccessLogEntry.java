package dev.sluice.sidecar.accesslog;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One exchange as the access log writes it. Durations are microseconds, {@code -1} where the
 * exchange never got there (no offload, no upstream, no response byte).
 *
 * @param startMillis when the request head arrived, epoch milliseconds
 * @param listener the downstream listener's name
 * @param rule the rule's name ({@code <ProxyRoute>.<rule>}), or empty when no rule matched
 * @param downstreamProtocol {@code HTTP/1.1} or {@code HTTP/2}
 * @param clientAddress the client's address and port
 * @param method the request's method
 * @param authority the request's authority (Host or {@code :authority})
 * @param path the request's path, without the query unless configured
 * @param status the status sent downstream, {@code 0} when none was
 * @param bytesIn request body bytes read from the client
 * @param bytesOut response body bytes sent to the client
 * @param upstream the upstream endpoint the last try went to, or null
 * @param upstreamProtocol {@code HTTP/1.1} or {@code HTTP/2} upstream, or null
 * @param retries tries after the first
 * @param upstreamEjected outlier detection had the last try's endpoint out of rotation when the
 *     exchange ended (usually: this exchange's failure ejected it)
 * @param traceId the W3C trace id, or null
 * @param headers configured request headers, in configuration order, redacted as configured
 */
public record AccessLogEntry(
    long startMillis,
    String listener,
    String rule,
    String downstreamProtocol,
    String clientAddress,
    String method,
    String authority,
    String path,
    int status,
    long bytesIn,
    long bytesOut,
    @Nullable String upstream,
    @Nullable String upstreamProtocol,
    Timings timings,
    int retries,
    boolean upstreamEjected,
    @Nullable String traceId,
    Termination termination,
    List<Map.Entry<String, String>> headers) {

  /**
   * Where the time went, in microseconds from the request head ({@code -1}: not reached).
   *
   * @param offloadRequest the request-phase offload's duration
   * @param offloadResponse the response-phase offload's duration
   * @param connect from asking for an upstream lease to having one
   * @param firstByte from the request head to the response head going downstream
   * @param total from the request head to the exchange's end
   */
  public record Timings(
      long offloadRequest, long offloadResponse, long connect, long firstByte, long total) {
    public static final Timings NONE = new Timings(-1, -1, -1, -1, -1);
  }
}
