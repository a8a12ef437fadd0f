package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.testing.Curl;
import dev.sluice.sidecar.testing.Curl.Mode;
import dev.sluice.sidecar.testing.Nghttpd;
import dev.sluice.sidecar.testing.ReceivedRequest;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant: every request body reaches the upstream byte for byte, and every HTTP/2 upstream
 * stream carries exactly one END_STREAM with nothing after it — for each client framing, upstream
 * protocol, body size around our buffer and frame sizes, and zeroCopy on and off.
 */
class ForwardingIT {
  static final int[] SIZES = {
    0, 1, 16383, 16384, 16385, 65535, 65536, 65537, 262143, 262144, 262145, 1 << 20
  };

  enum Upstream {
    HTTP1_RECORDER,
    H2C_RECORDER,
    NGHTTPD
  }

  @TempDir static Path bodies;
  static RecordingUpstream http1;
  static RecordingUpstream h2c;
  static Nghttpd nghttpd;
  static final java.util.Map<String, RunningSidecar> sidecars = new java.util.HashMap<>();

  @BeforeAll
  static void startUpstreams() throws Exception {
    http1 = RecordingUpstream.http1();
    h2c = RecordingUpstream.h2c();
    nghttpd = Nghttpd.start();
    for (boolean zeroCopy : new boolean[] {true, false}) {
      sidecars.put(
          "HTTP1_RECORDER" + zeroCopy,
          RunningSidecar.singleRule("http1", http1.address(), zeroCopy, ""));
      sidecars.put(
          "H2C_RECORDER" + zeroCopy, RunningSidecar.singleRule("h2c", h2c.address(), zeroCopy, ""));
      sidecars.put(
          "NGHTTPD" + zeroCopy, RunningSidecar.singleRule("h2c", nghttpd.address(), zeroCopy, ""));
    }
  }

  @AfterAll
  static void stopAll() throws Exception {
    sidecars.values().forEach(RunningSidecar::close);
    http1.close();
    h2c.close();
    nghttpd.close();
  }

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (Mode mode : Mode.values()) {
      for (Upstream upstream : Upstream.values()) {
        for (int size : SIZES) {
          for (boolean zeroCopy : new boolean[] {true, false}) {
            cases.add(Arguments.of(mode, upstream, size, zeroCopy));
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}, {2} bytes, zeroCopy {3}")
  @MethodSource("matrix")
  void bodyArrivesIntactAndStreamEndsOnce(Mode mode, Upstream upstream, int size, boolean zeroCopy)
      throws Exception {
    Path body = body(size);
    String id = UUID.randomUUID().toString();
    RunningSidecar sidecar = sidecars.get(upstream.name() + zeroCopy);

    Curl.Result result =
        Curl.post(mode, sidecar.url("/upload"), body, RecordingUpstream.TEST_ID + ": " + id);

    assertThat(result.status()).as("status (curl: %s)", result.stderr()).isEqualTo(200);
    String sha = sha256(Files.readAllBytes(body));
    switch (upstream) {
      case NGHTTPD -> assertThat(sha256(result.body())).as("echoed body").isEqualTo(sha);
      case HTTP1_RECORDER -> {
        assertThat(result.bodyText().trim()).isEqualTo(sha);
        assertThat(http1.received(id).bytes()).isEqualTo(size);
      }
      case H2C_RECORDER -> {
        assertThat(result.bodyText().trim()).isEqualTo(sha);
        ReceivedRequest received = h2c.received(id);
        assertThat(received.bytes()).isEqualTo(size);
        assertThat(received.endStreams())
            .as("END_STREAM count, frames %s", received.frames())
            .isEqualTo(1);
        assertThat(received.framesAfterEnd()).as("frames after END_STREAM").isZero();
        if (size == 0 && mode != Mode.H1_CHUNKED) {
          assertThat(received.endedOn())
              .as("a bodyless request ends on HEADERS")
              .isEqualTo("HEADERS");
        } else if (size > 0) {
          assertThat(received.endedOn()).isIn("DATA", "EMPTY_DATA");
        }
      }
    }
  }

  private static Path body(int size) throws IOException {
    Path file = bodies.resolve(size + ".bin");
    if (!Files.exists(file)) {
      byte[] bytes = new byte[size];
      new Random(size).nextBytes(bytes);
      Files.write(file, bytes);
    }
    return file;
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
