package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.testing.Curl;
import dev.sluice.sidecar.testing.ReceivedRequest;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Invariant: over real sockets, for each client protocol and upstream protocol, the upstream sees
 * the forwarding fields (Via, X-Forwarded-For, X-Forwarded-Proto) and none of the hop-by-hop ones,
 * and the client sees Via on the answer. Heads bound for HTTP/2 are built as header blocks
 * directly; this is the check that what reaches the peer is the same.
 */
class HeaderRulesIT {
  @TempDir static Path dir;
  static RecordingUpstream http1;
  static RecordingUpstream h2c;
  static RunningSidecar toHttp1;
  static RunningSidecar toH2c;

  @BeforeAll
  static void start() throws Exception {
    http1 = RecordingUpstream.http1();
    h2c = RecordingUpstream.h2c();
    toHttp1 = RunningSidecar.singleRule("http1", http1.address(), true, "");
    toH2c = RunningSidecar.singleRule("h2c", h2c.address(), true, "");
  }

  @AfterAll
  static void stop() throws Exception {
    toHttp1.close();
    toH2c.close();
    http1.close();
    h2c.close();
  }

  @ParameterizedTest(name = "{0} client -> {1} upstream")
  @CsvSource({"h1, http1", "h1, h2c", "h2c, http1", "h2c, h2c"})
  void theUpstreamSeesForwardingFieldsAndNoHopByHopOnes(String client, String upstream)
      throws Exception {
    String id = UUID.randomUUID().toString();
    Path responseHead = Files.createTempFile(dir, "head", ".txt");
    List<String> args = new ArrayList<>();
    args.add(client.equals("h2c") ? "--http2-prior-knowledge" : "--http1.1");
    args.addAll(List.of("-D", responseHead.toString()));
    for (String header :
        List.of(
            RecordingUpstream.TEST_ID + ": " + id,
            "Proxy-Authorization: Basic c2VjcmV0",
            "X-Forwarded-For: 10.0.0.1",
            "X-Forwarded-Proto: ftp",
            "Via: 1.0 edge",
            "X-App: kept")) {
      args.addAll(List.of("-H", header));
    }
    if (client.equals("h1")) {
      // Connection-specific fields exist only in HTTP/1.1 (RFC 9113 8.2.2).
      args.addAll(
          List.of(
              "-H", "Connection: keep-alive, X-Hop",
              "-H", "X-Hop: 1",
              "-H", "Keep-Alive: timeout=5",
              "-H", "Upgrade: websocket"));
    }
    RunningSidecar sidecar = upstream.equals("h2c") ? toH2c : toHttp1;
    RecordingUpstream recorder = upstream.equals("h2c") ? h2c : http1;

    Curl.Result result = Curl.get(sidecar.url("/headers?x=1"), args.toArray(String[]::new));

    assertThat(result.status()).as("status (curl: %s)", result.stderr()).isEqualTo(200);
    ReceivedRequest received = recorder.received(id);
    String pair = client + " -> " + upstream;
    for (String hop :
        List.of("proxy-authorization", "connection", "x-hop", "keep-alive", "upgrade", "te")) {
      assertThat(received.header(hop)).as("%s: %s", pair, hop).isNull();
    }
    assertThat(received.headerLines("via"))
        .as(pair)
        .containsExactly("1.0 edge", (client.equals("h2c") ? "2.0" : "1.1") + " sluice");
    assertThat(received.headerLines("x-forwarded-for"))
        .as(pair)
        .containsExactly("10.0.0.1, 127.0.0.1");
    assertThat(received.headerLines("x-forwarded-proto")).as(pair).containsExactly("http");
    assertThat(received.header("x-app")).as(pair).isEqualTo("kept");
    assertThat(received.header(upstream.equals("h2c") ? ":authority" : "host"))
        .as(pair)
        .startsWith("127.0.0.1:");
    assertThat(received.header(upstream.equals("h2c") ? ":path" : "x-none"))
        .as(pair)
        .isEqualTo(upstream.equals("h2c") ? "/headers?x=1" : null);
    List<String> head =
        Files.readAllLines(responseHead).stream().map(l -> l.toLowerCase(Locale.ROOT)).toList();
    assertThat(head)
        .as("%s: the client's answer", pair)
        .anyMatch(l -> l.startsWith("via: ") && l.contains(" sluice"));
  }
}
