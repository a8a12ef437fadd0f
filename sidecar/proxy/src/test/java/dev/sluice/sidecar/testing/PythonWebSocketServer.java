package dev.sluice.sidecar.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket server: {@code websocket/echo.py} on python3-websockets (Debian), or another
 * script such as {@code websocket/h2_echo.py} (HTTP/2, extended CONNECT). Echoes every message; a
 * text message {@code close-<code>} makes it close with that code.
 */
public final class PythonWebSocketServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

  public PythonWebSocketServer() throws IOException, URISyntaxException {
    this("/websocket/echo.py");
  }

  /**
   * Runs {@code script} (a test resource) with {@code args}: it prints its port first, then one
   * line per event, which {@link #events} gives in order.
   */
  public PythonWebSocketServer(String script, String... args)
      throws IOException, URISyntaxException {
    URL resource = Objects.requireNonNull(getClass().getResource(script), script);
    List<String> command = new ArrayList<>();
    command.add(python());
    command.add(Path.of(resource.toURI()).toString());
    command.addAll(List.of(args));
    process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine(); // the port, once it listens (or null if it failed to start)
    if (line == null) {
      process.destroyForcibly();
      throw new IOException(
          "python3 " + script + " did not start (python3-websockets, python3-h2?)");
    }
    port = Integer.parseInt(line.trim());
    Thread reader =
        new Thread(
            () -> {
              try {
                String event;
                while ((event = out.readLine()) != null) {
                  events.add(event);
                }
              } catch (IOException gone) {
                // the process ended
              }
            },
            "python-events");
    reader.setDaemon(true);
    reader.start();
  }

  /** The lines the server printed after its port, in order. */
  public BlockingQueue<String> events() {
    return events;
  }

  /** Debian's interpreter, which has python3-websockets, ahead of any other on the PATH. */
  private static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
