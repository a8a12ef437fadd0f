package dev.sluice.sidecar.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket server: {@code websocket/echo.py} on python3-websockets (Debian). Echoes every
 * message; a text message {@code close-<code>} makes it close with that code.
 */
public final class PythonWebSocketServer implements AutoCloseable {
  private final Process process;
  private final int port;

  public PythonWebSocketServer() throws IOException, URISyntaxException {
    URL script = Objects.requireNonNull(getClass().getResource("/websocket/echo.py"));
    process =
        new ProcessBuilder(python(), Path.of(script.toURI()).toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine(); // the port, once it listens (or null if it failed to start)
    if (line == null) {
      process.destroyForcibly();
      throw new IOException("python3 websocket/echo.py did not start (python3-websockets?)");
    }
    port = Integer.parseInt(line.trim());
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
