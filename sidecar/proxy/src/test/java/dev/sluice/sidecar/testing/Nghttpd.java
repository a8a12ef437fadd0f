package dev.sluice.sidecar.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/** Debian's nghttpd as a third-party h2c upstream that echoes uploads ({@code --echo-upload}). */
public final class Nghttpd implements AutoCloseable {
  private final Process process;
  private final int port;

  private Nghttpd(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static boolean installed() {
    return new java.io.File("/usr/sbin/nghttpd").canExecute()
        || new java.io.File("/usr/bin/nghttpd").canExecute();
  }

  public static Nghttpd start() throws IOException, InterruptedException {
    return start(null);
  }

  /** Serves the files of {@code docroot} too (null: none). */
  public static Nghttpd start(java.nio.file.Path docroot) throws IOException, InterruptedException {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Process process =
        new ProcessBuilder(
                docroot == null
                    ? java.util.List.of(
                        "nghttpd",
                        "--no-tls",
                        "--echo-upload",
                        "-a",
                        "127.0.0.1",
                        Integer.toString(port))
                    : java.util.List.of(
                        "nghttpd",
                        "--no-tls",
                        "--echo-upload",
                        "-d",
                        docroot.toString(),
                        "-a",
                        "127.0.0.1",
                        Integer.toString(port)))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      org.awaitility.Awaitility.await("nghttpd listening on " + port)
          .atMost(java.time.Duration.ofSeconds(10))
          .pollInterval(java.time.Duration.ofMillis(20))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IOException("nghttpd exited with " + process.exitValue());
                }
                try (Socket socket = new Socket("127.0.0.1", port)) {
                  return true;
                } catch (IOException notYet) {
                  return false;
                }
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      process.destroyForcibly();
      throw new IOException("nghttpd did not listen on " + port + " within 10s", e);
    }
    return new Nghttpd(process, port);
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor(5, TimeUnit.SECONDS);
  }
}
