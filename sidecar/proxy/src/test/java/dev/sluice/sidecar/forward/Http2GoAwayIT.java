package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.testing.Arrival;
import dev.sluice.sidecar.testing.Http2Client;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Invariant: when an HTTP/2 upstream sends GOAWAY (here: after the first stream of its first
 * connection), streams it never processed are sent again on a new connection (when nothing of their
 * body was consumed) and succeed; streams that cannot be replayed fail cleanly with 502; nothing
 * hangs.
 */
class Http2GoAwayIT {

  @Test
  void unprocessedStreamsAreRetriedOnANewConnection() throws Exception {
    try (RecordingUpstream upstream = RecordingUpstream.h2cGoAwayOnFirstConnection();
        RunningSidecar sidecar = RunningSidecar.singleRule("h2c", upstream.address(), true, "");
        Http2Client client =
            Http2Client.connect(
                sidecar.sidecar().listenerAddresses().get("http").getPort(), false)) {
      List<CompletableFuture<Http2Client.Result>> results =
          postConcurrently(client, 8, 0, "goaway-");
      for (CompletableFuture<Http2Client.Result> result : results) {
        assertThat(result.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
      }
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(sidecar.sidecar().metrics().registry().scrape())
                      .containsPattern(
                          "sluice_upstream_errors_total\\{kind=\"refused\",rule=\"r\"\\} [1-9]"));
    }
  }

  @Test
  void streamsWithBodiesNeverHang() throws Exception {
    try (RecordingUpstream upstream = RecordingUpstream.h2cGoAwayOnFirstConnection();
        RunningSidecar sidecar = RunningSidecar.singleRule("h2c", upstream.address(), true, "");
        Http2Client client =
            Http2Client.connect(
                sidecar.sidecar().listenerAddresses().get("http").getPort(), false)) {
      List<CompletableFuture<Http2Client.Result>> results =
          postConcurrently(client, 8, 50_000, "goaway-body-");
      for (CompletableFuture<Http2Client.Result> future : results) {
        // Bounded: a hang fails here. A stream whose body the upstream never consumed cannot be
        // replayed, so the sidecar answers 502 at once and resets the rest of the upload
        // (RST_STREAM NO_ERROR, RFC 9113 8.1); a client still writing may then lose that answer
        // on its side (status 0: its stream closed). Any other status is a failure.
        Http2Client.Result result = future.get(20, TimeUnit.SECONDS);
        assertThat(result.status()).as("%s", result.frames()).isIn(0, 200, 502);
        if (result.status() != 0) {
          assertThat(result.endStreams()).isEqualTo(1);
        }
      }
    }
  }

  /**
   * {@code count} POSTs of {@code size} bytes at once on one client connection (one stream each).
   */
  private static List<CompletableFuture<Http2Client.Result>> postConcurrently(
      Http2Client client, int count, int size, String idPrefix) {
    List<CompletableFuture<Http2Client.Result>> results = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = idPrefix + i;
      results.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return client.post(
                      "/g",
                      new byte[size],
                      Http2Client.End.DATA,
                      Arrival.ALL_AT_ONCE,
                      Map.of(RecordingUpstream.TEST_ID, id));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    return results;
  }
}
