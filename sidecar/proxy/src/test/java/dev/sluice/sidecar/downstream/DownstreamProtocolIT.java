package dev.sluice.sidecar.downstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.testing.Http1Client;
import dev.sluice.sidecar.testing.RawHttp2;
import dev.sluice.sidecar.testing.RecordingUpstream;
import dev.sluice.sidecar.testing.RunningSidecar;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Invariant: the downstream protocols behave as their RFCs say on the wire — HTTP/1.1 keep-alive
 * and pipelined requests answered in order on one connection; HTTP/2 protocol errors answered with
 * GOAWAY or RST_STREAM carrying the right error code.
 */
class DownstreamProtocolIT {
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

  private static Socket connect() throws IOException {
    Socket socket =
        new Socket("127.0.0.1", sidecar.sidecar().listenerAddresses().get("http").getPort());
    socket.setSoTimeout(10_000);
    return socket;
  }

  @Test
  void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (int i = 0; i < 5; i++) {
        out.write(
            ("POST /k HTTP/1.1\r\nHost: a\r\nx-test-id: keep-"
                    + i
                    + "-"
                    + System.nanoTime()
                    + "\r\nContent-Length: 3\r\n\r\nab"
                    + i)
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Http1Client.Response response = Http1Client.readResponse(in);
        assertThat(response.status()).isEqualTo(200);
        assertThat(new String(response.body(), StandardCharsets.US_ASCII).trim())
            .isEqualTo(sha256("ab" + i));
      }
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    StringBuilder burst = new StringBuilder();
    long run = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      burst
          .append("POST /p HTTP/1.1\r\nHost: a\r\nx-test-id: pipe-" + run + "-" + i)
          .append("\r\nContent-Length: 4\r\n\r\nreq")
          .append(i);
    }
    burst.append("GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    try (Socket socket = connect()) {
      socket.getOutputStream().write(burst.toString().getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      List<String> answers = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        answers.add(
            new String(Http1Client.readResponse(in).body(), StandardCharsets.US_ASCII).trim());
      }
      Http1Client.Response last = Http1Client.readResponse(in);
      assertThat(last.headers()).containsEntry("connection", "close");
      for (int i = 0; i < 10; i++) {
        assertThat(answers.get(i)).as("answer %d", i).isEqualTo(sha256("req" + i));
      }
      assertThat(in.read()).as("closed after Connection: close").isEqualTo(-1);
    }
  }

  @Test
  void aClientThatHalfClosesAfterItsRequestStillGetsTheResponse() throws Exception {
    try (Socket socket = connect()) {
      socket
          .getOutputStream()
          .write(
              "POST /half HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                  .getBytes(StandardCharsets.US_ASCII));
      socket.shutdownOutput(); // FIN right behind the request, before any answer
      InputStream in = socket.getInputStream();
      Http1Client.Response response = Http1Client.readResponse(in);
      assertThat(response.status()).isEqualTo(200);
      assertThat(in.read()).as("closed after the response").isEqualTo(-1);
    }
  }

  @Test
  void http10WithoutKeepAliveIsClosedAfterTheResponse() throws Exception {
    try (Socket socket = connect()) {
      socket
          .getOutputStream()
          .write("GET /old HTTP/1.0\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      Http1Client.Response response = Http1Client.readResponse(in);
      assertThat(response.status()).isEqualTo(200);
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void aBrokenHttp2FrameGetsGoAwayWithAProtocolErrorCode() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(frame(4, 0, 0, new byte[0])); // SETTINGS
      out.write(frame(0, 0, 0, new byte[] {1, 2, 3})); // DATA on stream 0: connection error
      out.flush();
      int error = goAwayError(new DataInputStream(socket.getInputStream()));
      assertThat(error).as("GOAWAY error code").isEqualTo(1); // PROTOCOL_ERROR
    }
  }

  @Test
  void anOversizedFrameGetsGoAwayWithFrameSizeError() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(frame(4, 0, 0, new byte[0]));
      out.write(frame(0, 0, 1, new byte[20_000])); // larger than the default 16384 max frame size
      out.flush();
      assertThat(goAwayError(new DataInputStream(socket.getInputStream())))
          .isEqualTo(6); // FRAME_SIZE_ERROR
    }
  }

  @Test
  void aHeaderValueWithCrLfIsAProtocolErrorAndNeverReachesTheUpstream() throws Exception {
    String id = "crlf-" + System.nanoTime();
    java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
    block.write(new byte[] {(byte) 0x82, (byte) 0x87, (byte) 0x84}); // :method GET, https, :path /
    block.writeBytes(
        RawHttp2.block(":authority", "a", "x-test-id", id, "x-evil", "ok\r\nx-injected: 1"));
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(frame(4, 0, 0, new byte[0]));
      out.write(frame(1, 0x5, 1, block.toByteArray())); // HEADERS, END_STREAM | END_HEADERS
      out.flush();
      int[] reset = resetOrGoAway(new DataInputStream(socket.getInputStream()), true);
      assertThat(reset[1])
          .as("error code of %s", reset[0] == 3 ? "RST_STREAM" : "GOAWAY")
          .isEqualTo(1); // PROTOCOL_ERROR (RFC 9113 8.2.1)
    }
    assertThat(upstream.received(id)).as("nothing forwarded").isNull();
  }

  /** Reads frames until GOAWAY (type 7) or, with {@code reset}, RST_STREAM (type 3). */
  private static int[] resetOrGoAway(DataInputStream in, boolean reset) throws IOException {
    while (true) {
      int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      in.readUnsignedByte();
      in.readInt();
      byte[] payload = in.readNBytes(length);
      if (reset && type == 3 || type == 7) {
        int at = type == 3 ? 0 : 4;
        return new int[] {
          type,
          ((payload[at] & 0xff) << 24)
              | ((payload[at + 1] & 0xff) << 16)
              | ((payload[at + 2] & 0xff) << 8)
              | (payload[at + 3] & 0xff)
        };
      }
    }
  }

  private static byte[] frame(int type, int flags, int stream, byte[] payload) {
    return RawHttp2.frameBytes(type, flags, stream, payload);
  }

  /** Reads frames until GOAWAY and returns its error code. */
  private static int goAwayError(DataInputStream in) throws IOException {
    return resetOrGoAway(in, false)[1];
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.US_ASCII)));
  }
}
