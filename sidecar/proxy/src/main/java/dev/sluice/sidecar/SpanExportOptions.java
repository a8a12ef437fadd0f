package dev.sluice.sidecar;

import dev.sluice.sidecar.config.OtlpEndpoint;
import dev.sluice.sidecar.trace.OtlpSpans;
import dev.sluice.sidecar.trace.Spans;
import java.io.PrintWriter;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --otlp-endpoint} and {@code --otlp-service-name}: where the sidecar's spans go. */
final class SpanExportOptions {
  @Option(
      names = "--otlp-endpoint",
      paramLabel = "URL",
      description =
          "Export a span per sampled exchange over OTLP/HTTP to URL, a collector's /v1/traces"
              + " (default: no export; docs/tracing.md).")
  @Nullable String otlpEndpoint;

  @Option(
      names = "--otlp-service-name",
      paramLabel = "NAME",
      description = "The exported spans' service.name (default: ${DEFAULT-VALUE}).")
  String otlpServiceName = "sluice-sidecar";

  /** The span export the options ask for, or none; an invalid endpoint or name is printed. */
  Spans spans(PrintWriter err) throws CommandExit {
    if (otlpEndpoint == null) {
      return Spans.OFF;
    }
    URI endpoint = OtlpEndpoint.parse(otlpEndpoint);
    if (endpoint == null) {
      throw CommandExit.invalid(
          err, "--otlp-endpoint \"" + otlpEndpoint + "\" (expected " + OtlpEndpoint.EXPECTED + ")");
    }
    if (otlpServiceName.isBlank()) {
      throw CommandExit.invalid(err, "--otlp-service-name \"\" (expected a name)");
    }
    return OtlpSpans.otlpHttp(endpoint, otlpServiceName, System.getenv());
  }
}
