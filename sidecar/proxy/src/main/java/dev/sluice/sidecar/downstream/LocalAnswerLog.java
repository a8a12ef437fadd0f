package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.accesslog.AccessLog;
import dev.sluice.sidecar.accesslog.AccessLogEntry;
import dev.sluice.sidecar.accesslog.Termination;
import dev.sluice.sidecar.forward.DownstreamSide;
import dev.sluice.sidecar.forward.LocalResponses;
import dev.sluice.sidecar.http2.HeadFields;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.trace.TraceParent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The access-log line of a request answered before it became an exchange: a head that cannot be
 * read or is refused, or one no rule takes. Its rule is empty; it never went upstream. It is logged
 * as the current generation logs its listener's answers before a rule ({@link
 * Generation#localAnswerLog}).
 */
final class LocalAnswerLog {
  private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");

  private LocalAnswerLog() {}

  static void log(
      ListenerContext listener,
      DownstreamSide side,
      HttpRequest request,
      HttpResponseStatus status,
      String sentence,
      Termination termination) {
    Generation generation = listener.generation().get();
    if (generation == null) {
      return; // the sidecar is closing
    }
    AccessLog log = generation.localAnswerLog(listener.config().name());
    if (!log.enabled()) {
      return;
    }
    log.log(
        new AccessLogEntry(
            System.currentTimeMillis(),
            listener.config().name(),
            "",
            side.http2() ? "HTTP/2" : "HTTP/1.1",
            side.clientAddressAndPort(),
            request.method().name(),
            orDash(HeadFields.get(request, HttpHeaderNames.HOST)),
            log.path(request.uri()),
            status.code(),
            0,
            LocalResponses.bodyBytes(status, sentence),
            null,
            null,
            new AccessLogEntry.Timings(-1, -1, -1, 0, 0),
            0,
            false,
            callersTraceId(request),
            termination,
            log.headers(request)));
  }

  private static String orDash(@Nullable String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }

  /** The caller's trace id when the request carries one valid {@code traceparent}; else null. */
  private static @Nullable String callersTraceId(HttpRequest request) {
    List<String> fields = HeadFields.getAll(request, TRACEPARENT);
    TraceParent caller = fields.size() == 1 ? TraceParent.parse(fields.get(0)) : null;
    return caller == null ? null : caller.traceId();
  }
}
