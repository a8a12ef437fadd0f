package dev.sluice.sidecar.accesslog;

import dev.sluice.sidecar.http2.HeadFields;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Whether and how exchanges are logged: the writer (null: off), the line format, which successes
 * are sampled, which request headers are written (those named in {@code redact} as {@code
 * [redacted]}) and whether the query stays in the path.
 */
public record AccessLog(
    @Nullable AccessLogWriter writer,
    AccessLogFormat format,
    AccessLogSampler sampler,
    List<String> headers,
    Set<String> redact,
    boolean includeQuery) {
  /** What a redacted header's value is written as. */
  public static final String REDACTED = "[redacted]";

  /** No access log (an embedded sidecar, the tests, unless they ask for one). */
  public static final AccessLog OFF =
      new AccessLog(null, AccessLogFormat.JSON, AccessLogSampler.ALL, List.of(), Set.of(), false);

  public AccessLog {
    headers = headers.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    redact =
        redact.stream()
            .map(h -> h.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
  }

  /** Every exchange, in {@code format}, to {@code writer}; no headers, no query. */
  public static AccessLog to(AccessLogWriter writer, AccessLogFormat format) {
    return new AccessLog(writer, format, AccessLogSampler.ALL, List.of(), Set.of(), false);
  }

  public boolean enabled() {
    return writer != null;
  }

  /** The path as logged: without its query unless configured. */
  public String path(String uri) {
    return includeQuery ? uri : pathOnly(uri);
  }

  /** {@code uri} without its query. */
  public static String pathOnly(String uri) {
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }

  /** The configured request headers {@code head} carries, redacted as configured. */
  public List<Map.Entry<String, String>> headers(HttpMessage head) {
    if (headers.isEmpty()) {
      return List.of();
    }
    List<Map.Entry<String, String>> values = new ArrayList<>(headers.size());
    for (String name : headers) {
      String value = HeadFields.get(head, AsciiString.of(name));
      if (value != null) {
        values.add(Map.entry(name, redact.contains(name) ? REDACTED : value));
      }
    }
    return values;
  }

  /** Queues {@code entry} if sampled; never blocks. */
  public void log(AccessLogEntry entry) {
    AccessLogWriter target = writer;
    if (target != null && sampler.logs(entry.termination(), entry.status())) {
      target.offer(entry, format);
    }
  }
}
