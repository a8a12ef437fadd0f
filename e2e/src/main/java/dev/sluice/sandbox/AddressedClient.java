package dev.sluice.sandbox;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 client at an address of its own: a keep-alive connection to a sidecar's plain HTTP
 * listener whose local end is bound to {@code clientIp}, so the sidecar sees that peer address (a
 * per-client rate limit keys on it). {@code java.net.http} on Java 17 cannot choose its local
 * address. Blocking, one request at a time; a response is read whole (these are short greetings,
 * redirects and refusals), by Content-Length or chunked.
 */
final class AddressedClient implements AutoCloseable {
  /** A response; header names lowercase, the last value of a repeated one. */
  record Response(int status, Map<String, String> headers, String body) {
    @Nullable String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final String clientIp;
  private final InetSocketAddress server;
  private @Nullable Socket socket;

  /** The connection's input, buffered for as long as the connection lives. */
  private @Nullable InputStream in;

  AddressedClient(String clientIp, InetSocketAddress server) {
    this.clientIp = clientIp;
    this.server = server;
  }

  /** {@code GET path} with {@code Host: host} and {@code headers} ("name: value" each). */
  Response get(String host, String path, String... headers) throws IOException {
    Socket connection = connection();
    StringBuilder head = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(host).append("\r\n");
    for (String header : headers) {
      head.append(header).append("\r\n");
    }
    head.append("\r\n");
    OutputStream out = connection.getOutputStream();
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    Response response = read(java.util.Objects.requireNonNull(in, "in"));
    if ("close".equalsIgnoreCase(response.header("connection"))) {
      close();
    }
    return response;
  }

  private Socket connection() throws IOException {
    if (socket == null || socket.isClosed()) {
      Socket s = new Socket();
      try {
        s.bind(new InetSocketAddress(clientIp, 0));
        s.connect(server, 5_000);
        s.setSoTimeout(10_000);
      } catch (IOException e) {
        s.close();
        throw e;
      }
      socket = s;
      in = new BufferedInputStream(s.getInputStream());
    }
    return socket;
  }

  private static Response read(InputStream in) throws IOException {
    String status = line(in);
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("status line: \"" + status + "\" (expected: HTTP/1.1 <code> ...)");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = line(in); !line.isEmpty(); line = line(in)) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    byte[] body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = chunked(in);
    } else {
      body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
    }
    return new Response(
        Integer.parseInt(parts[1]), headers, new String(body, StandardCharsets.UTF_8));
  }

  private static byte[] chunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
      body.write(in.readNBytes(size));
      line(in);
    }
    for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
      // trailers: none expected, skipped
    }
    return body.toByteArray();
  }

  private static int chunkSize(InputStream in) throws IOException {
    String line = line(in);
    int extension = line.indexOf(';');
    return Integer.parseInt(extension < 0 ? line : line.substring(0, extension), 16);
  }

  /** A line without its CRLF; the connection ending before one is an error. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the connection ended in a response head");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
      socket = null;
      in = null;
    }
  }
}
