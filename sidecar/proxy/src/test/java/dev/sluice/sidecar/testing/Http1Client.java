package dev.sluice.sidecar.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A blocking HTTP/1.1 client with exact control over framing and timing of the request, and a
 * strict reader of the response (status, headers, body by Content-Length or chunked, trailers).
 */
public final class Http1Client {
  /** Request body framing. */
  public enum Framing {
    CONTENT_LENGTH,
    CHUNKED,
    CHUNKED_TRAILERS
  }

  public record Response(
      int status, Map<String, String> headers, byte[] body, Map<String, String> trailers) {}

  public static Response post(
      String host,
      int port,
      boolean tls,
      String path,
      byte[] body,
      Framing framing,
      Arrival arrival,
      String... headers)
      throws IOException, InterruptedException {
    try (Socket socket = open(host, port, tls)) {
      socket.setSoTimeout(Curl.MAX_SECONDS * 1000);
      OutputStream out = socket.getOutputStream();
      StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n");
      for (String header : headers) {
        head.append(header).append("\r\n");
      }
      if (framing == Framing.CONTENT_LENGTH) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      } else {
        head.append("Transfer-Encoding: chunked\r\n");
      }
      if (arrival == Arrival.EXPECT_CONTINUE) {
        head.append("Expect: 100-continue\r\n");
      }
      head.append("\r\n");
      byte[] encoded = encodeBody(body, framing);
      InputStream in = socket.getInputStream();
      byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
      switch (arrival) {
        case ALL_AT_ONCE -> {
          out.write(concat(headBytes, encoded));
          out.flush();
        }
        case SMALL_WRITES -> {
          out.write(headBytes);
          for (int i = 0; i < encoded.length; i += 1024) {
            out.write(encoded, i, Math.min(1024, encoded.length - i));
            out.flush();
          }
        }
        case PAUSE_AFTER_HEADERS -> {
          out.write(headBytes);
          out.flush();
          Thread.sleep(Arrival.PAUSE_MILLIS);
          out.write(encoded);
          out.flush();
        }
        case LAST_BYTE_LATE -> {
          out.write(concat(headBytes, java.util.Arrays.copyOf(encoded, encoded.length - 1)));
          out.flush();
          Thread.sleep(Arrival.PAUSE_MILLIS);
          out.write(encoded, encoded.length - 1, 1);
          out.flush();
        }
        case EXPECT_CONTINUE -> {
          out.write(headBytes);
          out.flush();
          Response interim = readResponse(in);
          if (interim.status() != 100) {
            return interim;
          }
          out.write(encoded);
          out.flush();
        }
      }
      return readResponse(in);
    }
  }

  /** A socket to {@code host:port}, over TLS (trusting any certificate, ALPN http/1.1) or not. */
  public static Socket open(String host, int port, boolean tls) throws IOException {
    if (!tls) {
      return new Socket(host, port);
    }
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustAll()}, null);
      SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(new String[] {"http/1.1"});
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return socket;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  static byte[] encodeBody(byte[] body, Framing framing) {
    if (framing == Framing.CONTENT_LENGTH) {
      return body;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < body.length; i += 8192) {
      int n = Math.min(8192, body.length - i);
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, i, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes("0\r\n".getBytes(StandardCharsets.US_ASCII));
    if (framing == Framing.CHUNKED_TRAILERS) {
      out.writeBytes("x-trailer-check: done\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /**
   * Streams a generated body of {@code size} bytes with Content-Length (a repeating 64 KiB random
   * block, so gigabytes need no memory) and returns the response and the body's SHA-256.
   */
  public static Map.Entry<Response, String> postGenerated(
      int port, String path, long size, String... headers) throws IOException {
    byte[] block = new byte[64 * 1024];
    new java.util.Random(42).nextBytes(block);
    java.security.MessageDigest digest = ReceivedRequest.sha256();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(120_000);
      OutputStream out = socket.getOutputStream();
      StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n");
      for (String header : headers) {
        head.append(header).append("\r\n");
      }
      head.append("Content-Length: ").append(size).append("\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      for (long sent = 0; sent < size; ) {
        int n = (int) Math.min(block.length, size - sent);
        out.write(block, 0, n);
        digest.update(block, 0, n);
        sent += n;
      }
      out.flush();
      Response response = readResponse(socket.getInputStream());
      return Map.entry(response, java.util.HexFormat.of().formatHex(digest.digest()));
    }
  }

  /** Reads one response; the body is de-chunked and trailers collected. */
  public static Response readResponse(InputStream in) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = fields(in);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    Map<String, String> trailers = Map.of();
    if (status / 100 == 1 || status == 204 || status == 304) {
      return new Response(status, headers, new byte[0], trailers);
    }
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      while (true) {
        int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
        if (size == 0) {
          trailers = fields(in);
          break;
        }
        body.write(exactly(in, size));
        line(in);
      }
    } else if (headers.containsKey("content-length")) {
      body.write(exactly(in, Integer.parseInt(headers.get("content-length"))));
    } else {
      body.write(in.readAllBytes());
    }
    return new Response(status, headers, body.toByteArray(), trailers);
  }

  /** Reads n bytes or throws: a truncated body is an error, never a short success. */
  private static byte[] exactly(InputStream in, int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    if (bytes.length < n) {
      throw new java.io.EOFException(
          "body truncated after " + bytes.length + " of " + n + " bytes");
    }
    return bytes;
  }

  private static Map<String, String> fields(InputStream in) throws IOException {
    Map<String, String> fields = new LinkedHashMap<>();
    String line;
    while ((line = line(in)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      fields.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    return fields;
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int length =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }

  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }

  private Http1Client() {}
}
