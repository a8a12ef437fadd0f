package dev.sluice.sidecar.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.testing.Curl;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Invariant: the admin listener reports readiness, the running revision and the metrics. */
class AdminIT {
  static RecordingUpstream upstream;
  static RunningSidecar sidecar;

  @BeforeAll
  static void start() throws Exception {
    upstream = RecordingUpstream.http1();
    sidecar = RunningSidecar.singleRule("http1", upstream.address(), true, "");
  }

  @AfterAll
  static void stop() {
    sidecar.close();
    upstream.close();
  }

  @Test
  void readyAndLiveAnswer200() throws Exception {
    Curl.Result ready = Curl.get(sidecar.adminUrl("/ready"));
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.bodyText()).startsWith("ready " + sidecar.sidecar().generation().revision());
    assertThat(Curl.get(sidecar.adminUrl("/live")).status()).isEqualTo(200);
  }

  @Test
  void configShowsTheRevisionAndTheConfig() throws Exception {
    Curl.Result config = Curl.get(sidecar.adminUrl("/config"));
    assertThat(config.status()).isEqualTo(200);
    assertThat(config.bodyText())
        .startsWith("{\"revision\":\"" + sidecar.sidecar().generation().revision() + "\"")
        .contains(upstream.address());
  }

  @Test
  void metricsCountForwardedRequestsAndBytes() throws Exception {
    Path body = Files.createTempFile("body", ".bin");
    Files.write(body, new byte[5000]);
    assertThat(Curl.post(Curl.Mode.H1_CONTENT_LENGTH, sidecar.url("/m"), body).status())
        .isEqualTo(200);
    // The exchange records its metrics just after flushing the last byte: wait, boundedly.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              Curl.Result metrics = Curl.get(sidecar.adminUrl("/metrics"));
              assertThat(metrics.status()).isEqualTo(200);
              assertThat(metrics.bodyText())
                  .contains("sluice_request_duration_seconds_count{rule=\"r\",status=\"200\"}")
                  .contains("sluice_body_bytes_total{direction=\"request\",mode=\"passed\"}")
                  .containsPattern("sluice_buffer_memory_bytes\\{kind=\"direct\"} [1-9]");
            });
  }

  @Test
  void unknownPathsAndMethodsSayWhatIsExpected() throws Exception {
    Curl.Result unknown = Curl.get(sidecar.adminUrl("/nope"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.bodyText())
        .contains("expected: /ready, /live, /config, /metrics or /reload");
    assertThat(Curl.get(sidecar.adminUrl("/ready"), "-X", "DELETE").status()).isEqualTo(405);
  }

  @Test
  void privateKeysAreRedactedInTheConfigViewAndTheRestKept() {
    var tls =
        new dev.sluice.sidecar.config.ServerTls(
            "-----BEGIN CERTIFICATE-----", "-----BEGIN PRIVATE KEY-----secret", null, null, null);
    var listener =
        new dev.sluice.sidecar.config.DownstreamListener(
            "https",
            "127.0.0.1:0",
            dev.sluice.sidecar.config.DownstreamListener.Protocol.HTTPS,
            tls,
            null,
            null,
            new dev.sluice.sidecar.config.Http2Limits(10, null, null, null));
    var config =
        new dev.sluice.sidecar.config.SidecarConfig(
            1, "r1", null, null, java.util.List.of(listener), null, null, null);
    String json = dev.sluice.sidecar.config.SidecarConfigCodec.toJson(AdminServer.redacted(config));
    assertThat(json)
        .doesNotContain("secret")
        .contains("<redacted>")
        .contains("\"maxConcurrentStreams\":10");
  }
}
