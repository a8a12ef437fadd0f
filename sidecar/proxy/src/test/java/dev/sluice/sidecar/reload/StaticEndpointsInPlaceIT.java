package dev.sluice.sidecar.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.testing.NamedUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: a config file whose only change is its static endpoints is applied in place — same
 * generation, no drain, the new endpoints serving at once, visible on /config — and any other
 * change is a reload (a new generation).
 */
class StaticEndpointsInPlaceIT {
  @TempDir Path dir;

  private static String yaml(String endpoint, String requestTimeout) {
    return """
        version: 1
        admin: {address: 127.0.0.1:0}
        listeners: [{name: http, address: 127.0.0.1:0}]
        rules:
          - name: r
            listener: http
            upstream: {protocol: http1, endpoints: [%s]}
            timeouts: {request: %s}
        """
        .formatted(endpoint, requestTimeout);
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }

  @Test
  void endpointsOnlyInPlaceAnythingElseReloads() throws Exception {
    try (NamedUpstream a = new NamedUpstream("a", false);
        NamedUpstream b = new NamedUpstream("b", false);
        RunningSidecar sidecar = new RunningSidecar(yaml(a.address(), "10s"))) {
      Path file = dir.resolve("sidecar.yaml");
      sidecar.sidecar().configSource(() -> SidecarConfigCodec.read(file));
      Generation first = sidecar.sidecar().generation();
      assertThat(get(sidecar.url("/"))).isEqualTo("200 a");

      Files.writeString(file, yaml(b.address(), "10s"));
      SidecarReport report = sidecar.sidecar().reloadFromSource().get(10, TimeUnit.SECONDS);
      assertThat(report.outcome()).isEqualTo(SidecarReport.Outcome.Applied);
      assertThat(sidecar.sidecar().generation()).as("in place").isSameAs(first);
      assertThat(report.revision()).isEqualTo(first.revision()).as("carries the new config");
      assertThat(get(sidecar.url("/"))).isEqualTo("200 b");
      assertThat(get(sidecar.adminUrl("/config")))
          .contains(
              "{\"address\":\""
                  + b.address()
                  + "\",\"eligible\":true,\"inFlight\":0,\"state\":\"ready\"")
          .doesNotContain("\"address\":\"" + a.address() + "\"");
      assertThat(sidecar.sidecar().metrics().registry().scrape())
          .contains("sluice_reloads_total{outcome=\"in_place\"} 1.0");

      Files.writeString(file, yaml(b.address(), "20s"));
      sidecar.sidecar().reloadFromSource().get(10, TimeUnit.SECONDS);
      assertThat(sidecar.sidecar().generation()).as("reloaded").isNotSameAs(first);
      assertThat(get(sidecar.url("/"))).isEqualTo("200 b");
    }
  }
}
