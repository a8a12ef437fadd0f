package dev.sluice.sidecar.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A misbehaving HTTP/1.1 upstream on plain blocking sockets: each accepted connection runs the
 * test's script (read some of the request, answer early, stall, close mid-response...).
 */
public final class ScriptedUpstream implements AutoCloseable {
  /** What to do with one connection. */
  public interface Script {
    void run(InputStream in, OutputStream out) throws IOException, InterruptedException;
  }

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final AtomicInteger connections = new AtomicInteger();

  public ScriptedUpstream(Script script) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(
        () -> {
          while (!server.isClosed()) {
            try {
              Socket socket = server.accept();
              connections.incrementAndGet();
              threads.execute(
                  () -> {
                    try (socket) {
                      script.run(socket.getInputStream(), socket.getOutputStream());
                    } catch (IOException | InterruptedException ignored) {
                      // the script ends the connection however it likes
                    }
                  });
            } catch (IOException closed) {
              return;
            }
          }
        });
  }

  public String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  public int connections() {
    return connections.get();
  }

  /** Reads until the end of the request head. */
  public static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      head.append((char) b);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }

  /**
   * Stalls without answering: reads and discards until the sidecar closes the connection (a
   * blocking read, not a timer, so the script ends the moment the sidecar lets go).
   */
  public static void stallUntilClosed(InputStream in) throws IOException {
    in.transferTo(OutputStream.nullOutputStream());
  }

  public static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
