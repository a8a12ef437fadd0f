package dev.sluice.sidecar.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sidecar.testing.Arrival;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.Http2Client;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.testing.ScriptedUpstream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Invariant: a graceful stop loses nothing in flight. No new connections; idle HTTP/1.1 connections
 * close; a response in progress completes with {@code Connection: close}; HTTP/2 clients get two
 * GOAWAY frames (first the largest stream id, then the real last one) and their open streams
 * complete; the stop returns as soon as all of that is done.
 */
class ShutdownIT {
  /** Answers every request, after 800 ms for paths containing "slow"; keeps connections open. */
  private static ScriptedUpstream upstream() throws IOException {
    return new ScriptedUpstream(
        (in, out) -> {
          while (true) {
            String head = ScriptedUpstream.readHead(in);
            if (head.isEmpty()) {
              return;
            }
            if (head.contains("slow")) {
              Thread.sleep(800); // scripted peer: a slow upstream answer
            }
            ScriptedUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
          }
        });
  }

  private static Http1Client.Response get(Socket socket, String path) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return Http1Client.readResponse(socket.getInputStream());
  }

  @Test
  void aGracefulStopFinishesWhatIsInFlightAndNothingElse() throws Exception {
    try (ScriptedUpstream upstream = upstream();
        RunningSidecar sidecar = RunningSidecar.singleRule("http1", upstream.address(), true, "")) {
      int port = sidecar.sidecar().listenerAddresses().get("http").getPort();
      Socket idle = new Socket("127.0.0.1", port);
      Socket busy = new Socket("127.0.0.1", port);
      idle.setSoTimeout(10_000);
      busy.setSoTimeout(10_000);
      assertThat(get(idle, "/warm").status()).isEqualTo(200);
      CompletableFuture<Http1Client.Response> slowH1 =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return get(busy, "/slow-h1");
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      try (Http2Client h2 = Http2Client.connect(port, false)) {
        CompletableFuture<Http2Client.Result> slowH2 =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return h2.post(
                        "/slow-h2",
                        "x".getBytes(StandardCharsets.US_ASCII),
                        Http2Client.End.DATA,
                        Arrival.ALL_AT_ONCE,
                        Map.of());
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> sidecar.sidecar().generation().inFlight().active() == 2);

        long started = System.nanoTime();
        CompletableFuture<Void> stopping =
            CompletableFuture.runAsync(() -> sidecar.sidecar().shutdown(Duration.ofSeconds(20)));

        // no new connections
        Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(
                () ->
                    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                        .isInstanceOf(ConnectException.class));
        // the idle keep-alive connection is closed
        assertThat(idle.getInputStream().read()).isEqualTo(-1);
        // the busy one gets its answer, marked as the last
        Http1Client.Response h1 = slowH1.get(10, TimeUnit.SECONDS);
        assertThat(h1.status()).isEqualTo(200);
        assertThat(h1.headers().get("connection")).isEqualToIgnoringCase("close");
        assertThat(busy.getInputStream().read()).isEqualTo(-1);
        // HTTP/2: the stream completes; GOAWAY first with the largest id, then the real one
        Http2Client.Result result = slowH2.get(10, TimeUnit.SECONDS);
        assertThat(result.status()).as("%s", result).isEqualTo(200);
        assertThat(result.endStreams()).isEqualTo(1);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> h2.goAways().size() >= 2);
        List<Integer> goAways = h2.goAways();
        assertThat(goAways.get(0)).isEqualTo(Integer.MAX_VALUE);
        // the one stream the client opened (Netty's client numbers its first stream 3)
        assertThat(goAways.get(1)).isOdd().isLessThan(Integer.MAX_VALUE).isLessThanOrEqualTo(3);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(h2::closed);

        stopping.get(20, TimeUnit.SECONDS);
        // it returned when drained, long before the 20 s grace
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(5000);
      } finally {
        idle.close();
        busy.close();
      }
    }
  }
}
