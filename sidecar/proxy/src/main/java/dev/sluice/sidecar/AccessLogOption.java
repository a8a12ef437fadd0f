package dev.sluice.sidecar;

import dev.sluice.sidecar.accesslog.AccessLogFormat;
import dev.sluice.sidecar.accesslog.AccessLogOutput;
import dev.sluice.sidecar.accesslog.AccessLogWriter;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --access-log}: the sidecar's access log on standard output, in the format it names. */
final class AccessLogOption {
  @Option(
      names = "--access-log",
      paramLabel = "FORMAT",
      description =
          "One line per exchange on standard output: json (the default), text or off"
              + " (docs/access-logs.md).")
  String accessLog = "json";

  /** The access log the option asks for, to standard output; an invalid format is printed. */
  AccessLogOutput output(PrintWriter err) throws CommandExit {
    AccessLogFormat format =
        switch (accessLog.toLowerCase(Locale.ROOT)) {
          case "json" -> AccessLogFormat.JSON;
          case "text" -> AccessLogFormat.TEXT;
          case "off" -> null;
          default ->
              throw CommandExit.invalid(
                  err, "--access-log \"" + accessLog + "\" (expected: json, text or off)");
        };
    if (format == null) {
      return AccessLogOutput.OFF;
    }
    // The standard output stream, not file descriptor 1: whoever runs the sidecar in process (a
    // test runner talking to its fork over standard output) may have replaced it.
    // checkstyle:terminal-output-begin
    OutputStream stdout = System.out;
    // checkstyle:terminal-output-end
    return new AccessLogOutput(
        new AccessLogWriter(stdout, AccessLogWriter.DEFAULT_CAPACITY), format);
  }
}
