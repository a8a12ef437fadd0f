package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.testing.Arrival;
import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.Http2Client;
import dev.sluice.sidecar.testing.Http2Recorder.FlowControl;
import dev.sluice.sidecar.testing.ReceivedRequest;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Invariant: HTTP/2 flow control towards the upstream is respected and never costs END_STREAM —
 * with a 1000-byte window, with a body exactly the size of a window that is never replenished (the
 * final empty END_STREAM DATA frame still goes out on a zero window), and with SETTINGS shrinking
 * or growing the window mid-upload.
 */
class Http2FlowControlIT {

  @ParameterizedTest(name = "window {0}, updates {1}, change after {2} to {3}: {4} bytes, {5}")
  @CsvSource({
    // tiny window, replenished
    "1000, true, -1, 0, 0, CONTENT_LENGTH",
    "1000, true, -1, 0, 999, CONTENT_LENGTH",
    "1000, true, -1, 0, 1000, CONTENT_LENGTH",
    "1000, true, -1, 0, 1001, CHUNKED",
    "1000, true, -1, 0, 100000, CONTENT_LENGTH",
    "1000, true, -1, 0, 100000, CHUNKED_TRAILERS",
    // a body exactly the window, never replenished: END_STREAM rides the last DATA frame, or an
    // empty DATA frame on a zero window (chunked), or trailers
    "1000, false, -1, 0, 1000, CONTENT_LENGTH",
    "1000, false, -1, 0, 1000, CHUNKED",
    "1000, false, -1, 0, 1000, CHUNKED_TRAILERS",
    "65535, false, -1, 0, 65535, CONTENT_LENGTH",
    "65535, false, -1, 0, 65535, CHUNKED",
    // SETTINGS mid-upload: shrink (the window may go negative) and grow
    "65535, true, 16384, 1000, 300000, CONTENT_LENGTH",
    "65535, true, 16384, 1000, 300000, CHUNKED",
    "1000, true, 5000, 1048576, 300000, CONTENT_LENGTH",
  })
  void uploadsRespectTheUpstreamWindowAndEndOnce(
      int window,
      boolean updates,
      long changeAfter,
      int newWindow,
      int size,
      Http1Client.Framing framing)
      throws Exception {
    byte[] body = new byte[size];
    new Random(size).nextBytes(body);
    String id = UUID.randomUUID().toString();
    try (RecordingUpstream upstream =
            RecordingUpstream.h2c(new FlowControl(window, updates, changeAfter, newWindow));
        RunningSidecar sidecar =
            RunningSidecar.singleRule(
                "h2c", upstream.address(), true, "timeouts: {request: 10s}")) {
      int port = sidecar.sidecar().listenerAddresses().get("http").getPort();
      Http1Client.Response response;
      try {
        response =
            Http1Client.post(
                "127.0.0.1",
                port,
                false,
                "/flow",
                body,
                framing,
                Arrival.ALL_AT_ONCE,
                RecordingUpstream.TEST_ID + ": " + id);
      } catch (java.io.IOException e) {
        ReceivedRequest r = upstream.received(id);
        throw new AssertionError(
            "stalled; upstream got "
                + (r == null ? "nothing" : r.bytes() + " bytes, frames " + r.frames()),
            e);
      }
      assertThat(response.status()).isEqualTo(200);
      assertThat(new String(response.body()).trim()).isEqualTo(sha256(body));
      ReceivedRequest received = upstream.received(id);
      assertThat(received.bytes()).isEqualTo(size);
      assertThat(received.endStreams()).as("frames %s", received.frames()).isEqualTo(1);
      assertThat(received.framesAfterEnd()).isZero();
      for (String frame : received.frames()) {
        if (frame.startsWith("DATA(")) {
          int length = Integer.parseInt(frame.substring(5).split("[,)]")[0]);
          assertThat(length)
              .as("DATA frame within the %d-byte window", Math.max(window, newWindow))
              .isLessThanOrEqualTo(Math.max(window, newWindow));
        }
      }
    }
  }

  @ParameterizedTest(name = "h2 client -> window {0} upstream, {1} bytes")
  @CsvSource({"1000, 1000", "1000, 100000", "65535, 65535"})
  void http2ClientsToATinyWindowToo(int window, int size) throws Exception {
    byte[] body = new byte[size];
    new Random(size).nextBytes(body);
    String id = UUID.randomUUID().toString();
    try (RecordingUpstream upstream = RecordingUpstream.h2c(new FlowControl(window, true, -1, 0));
        RunningSidecar sidecar = RunningSidecar.singleRule("h2c", upstream.address(), true, "");
        Http2Client client =
            Http2Client.connect(
                sidecar.sidecar().listenerAddresses().get("http").getPort(), false)) {
      for (Http2Client.End end : Http2Client.End.values()) {
        Http2Client.Result result =
            client.post(
                "/flow",
                body,
                end,
                Arrival.ALL_AT_ONCE,
                Map.of(RecordingUpstream.TEST_ID, id + end));
        assertThat(result.status()).isEqualTo(200);
        assertThat(new String(result.body()).trim()).isEqualTo(sha256(body));
        assertThat(upstream.received(id + end).endStreams()).isEqualTo(1);
      }
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
