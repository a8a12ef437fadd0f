package dev.sluice.sidecar.accesslog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * How an entry becomes a line: {@link #JSON} (the default; one object per line, field names in
 * docs/access-logs.md) or {@link #TEXT} (one space-separated line in HAProxy's spirit). Runs on the
 * writer's thread, never on an event loop.
 */
public enum AccessLogFormat {
  JSON {
    @Override
    void append(AccessLogEntry e, StringBuilder out) {
      out.append('{');
      field(out, "time", TIME.format(Instant.ofEpochMilli(e.startMillis())), true);
      field(out, "listener", e.listener(), false);
      field(out, "rule", e.rule(), false);
      field(out, "protocol", e.downstreamProtocol(), false);
      field(out, "client", e.clientAddress(), false);
      field(out, "method", e.method(), false);
      field(out, "authority", e.authority(), false);
      field(out, "path", e.path(), false);
      number(out, "status", e.status());
      number(out, "bytes_in", e.bytesIn());
      number(out, "bytes_out", e.bytesOut());
      field(out, "upstream", e.upstream(), false);
      field(out, "upstream_protocol", e.upstreamProtocol(), false);
      AccessLogEntry.Timings t = e.timings();
      number(out, "offload_request_us", t.offloadRequest());
      number(out, "offload_response_us", t.offloadResponse());
      number(out, "connect_us", t.connect());
      number(out, "first_byte_us", t.firstByte());
      number(out, "total_us", t.total());
      number(out, "retries", e.retries());
      out.append(",\"upstream_ejected\":").append(e.upstreamEjected());
      field(out, "trace_id", e.traceId(), false);
      field(out, "termination", e.termination().code(), false);
      field(out, "cause", e.termination().cause().label(), false);
      field(out, "detail", e.termination().detail(), false);
      if (!e.headers().isEmpty()) {
        out.append(",\"headers\":{");
        boolean first = true;
        for (Map.Entry<String, String> header : e.headers()) {
          field(out, header.getKey(), header.getValue(), first);
          first = false;
        }
        out.append('}');
      }
      out.append('}');
    }
  },
  TEXT {
    @Override
    void append(AccessLogEntry e, StringBuilder out) {
      AccessLogEntry.Timings t = e.timings();
      out.append(TIME.format(Instant.ofEpochMilli(e.startMillis())))
          .append(' ')
          .append(e.clientAddress())
          .append(' ')
          .append(e.listener())
          .append(' ')
          .append(e.rule().isEmpty() ? "-" : e.rule())
          .append(" \"")
          .append(e.method())
          .append(' ')
          .append(e.authority())
          .append(e.path())
          .append(' ')
          .append(e.downstreamProtocol())
          .append("\" ")
          .append(e.status())
          .append(' ')
          .append(e.termination().code())
          .append(' ')
          .append(e.termination().cause().label());
      if (e.termination().detail() != null) {
        out.append('(').append(e.termination().detail().replace(' ', '_')).append(')');
      }
      out.append(' ')
          .append(e.bytesIn())
          .append(' ')
          .append(e.bytesOut())
          .append(' ')
          .append(e.upstream() == null ? "-" : e.upstream())
          .append(' ')
          .append(e.upstreamProtocol() == null ? "-" : e.upstreamProtocol())
          .append(' ')
          .append(t.offloadRequest())
          .append('/')
          .append(t.connect())
          .append('/')
          .append(t.firstByte())
          .append('/')
          .append(t.offloadResponse())
          .append('/')
          .append(t.total())
          .append(' ')
          .append(e.retries())
          .append(e.upstreamEjected() ? " ejected " : " - ")
          .append(e.traceId() == null ? "-" : e.traceId());
      for (Map.Entry<String, String> header : e.headers()) {
        out.append(' ').append(header.getKey()).append('=');
        quote(out, header.getValue());
      }
    }
  };

  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  /** Appends {@code entry} as one line, without the line break. */
  abstract void append(AccessLogEntry entry, StringBuilder out);

  /** One line, without the line break. */
  public String format(AccessLogEntry entry) {
    StringBuilder out = new StringBuilder(256);
    append(entry, out);
    return out.toString();
  }

  private static void field(
      StringBuilder out,
      String name,
      @org.jspecify.annotations.Nullable String value,
      boolean first) {
    if (!first) {
      out.append(',');
    }
    quote(out, name);
    out.append(':');
    if (value == null) {
      out.append("null");
    } else {
      quote(out, value);
    }
  }

  private static void number(StringBuilder out, String name, long value) {
    out.append(',');
    quote(out, name);
    out.append(':').append(value);
  }

  /** A JSON string: quotes, backslashes and control characters escaped, the rest as it is. */
  static void quote(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
