package dev.sluice.sidecar.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 upstream that parses what it is sent by the letter of RFC 9112 and records, per
 * request, whether the message arrived complete ({@code complete}, then answered 200) or was cut
 * before its end ({@code truncated}): what a proxy must never do is hand on an unreadable request
 * as a different, complete one.
 */
public final class MessageCheckingUpstream implements AutoCloseable {
  /** What arrived of one request: its request line, its Host, its body, and how it ended. */
  public record Arrived(String requestLine, String host, String body, boolean complete) {}

  private final List<Arrived> arrived = new CopyOnWriteArrayList<>();
  private final AtomicInteger inProgress = new AtomicInteger();
  private final CountDownLatch firstBodyBytes = new CountDownLatch(1);
  private final ScriptedUpstream server;

  public MessageCheckingUpstream() throws IOException {
    server =
        new ScriptedUpstream(
            (in, out) -> {
              while (true) {
                String head = ScriptedUpstream.readHead(in);
                if (head.isEmpty()) {
                  return;
                }
                inProgress.incrementAndGet();
                try {
                  ByteArrayOutputStream body = new ByteArrayOutputStream();
                  boolean complete = readBody(in, head, body);
                  String[] lines = head.split("\r\n");
                  arrived.add(
                      new Arrived(
                          lines[0],
                          field(lines, "host"),
                          body.toString(StandardCharsets.ISO_8859_1),
                          complete));
                  if (!complete) {
                    return;
                  }
                  ScriptedUpstream.write(
                      out, "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\ncomplete");
                } finally {
                  synchronized (inProgress) {
                    inProgress.decrementAndGet();
                    inProgress.notifyAll();
                  }
                }
              }
            });
  }

  public String address() {
    return server.address();
  }

  public List<Arrived> arrived() {
    return List.copyOf(arrived);
  }

  /** Waits (bounded) until a request's first body bytes arrived. */
  public boolean awaitBodyBytes(Duration limit) throws InterruptedException {
    return firstBodyBytes.await(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Waits (bounded) until no request is arriving: each whose head came has been found complete (and
   * answered) or cut (its connection ended first).
   */
  public boolean awaitNoRequestInProgress(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    synchronized (inProgress) {
      long left;
      while (inProgress.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
        TimeUnit.NANOSECONDS.timedWait(inProgress, left);
      }
      return inProgress.get() == 0;
    }
  }

  private boolean readBody(InputStream in, String head, ByteArrayOutputStream body)
      throws IOException {
    String[] lines = head.split("\r\n");
    String encoding = field(lines, "transfer-encoding");
    if (encoding != null && encoding.equalsIgnoreCase("chunked")) {
      while (true) {
        String sizeLine = line(in);
        if (sizeLine == null) {
          return false;
        }
        int semicolon = sizeLine.indexOf(';');
        long size =
            Long.parseLong(
                (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
        if (size == 0) {
          String trailer;
          do {
            trailer = line(in);
            if (trailer == null) {
              return false;
            }
          } while (!trailer.isEmpty());
          return true;
        }
        byte[] chunk = in.readNBytes((int) size);
        body.writeBytes(chunk);
        firstBodyBytes.countDown();
        if (chunk.length < size || !"".equals(line(in))) {
          return false;
        }
      }
    }
    String length = field(lines, "content-length");
    if (length == null) {
      return true;
    }
    long size = Long.parseLong(length.trim());
    byte[] bytes = in.readNBytes((int) size);
    body.writeBytes(bytes);
    return bytes.length == size;
  }

  /** A CRLF-terminated line without its CRLF, or null at the end of input. */
  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n' && line.length() > 0 && line.charAt(line.length() - 1) == '\r') {
        return line.substring(0, line.length() - 1);
      }
      line.append((char) b);
    }
    return null;
  }

  private static String field(String[] lines, String name) {
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
        return lines[i].substring(colon + 1).trim();
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
