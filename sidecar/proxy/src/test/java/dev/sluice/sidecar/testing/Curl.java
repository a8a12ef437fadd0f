package dev.sluice.sidecar.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real curl (a third-party HTTP/1.1 and h2c client) and returns what it got. */
public final class Curl {
  /** Bounds every call; a hang (a lost END_STREAM) fails the test instead of blocking it. */
  public static final int MAX_SECONDS = 30;

  public record Result(int status, byte[] body, String stderr) {
    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Client-side framing of the request. */
  public enum Mode {
    H1_CONTENT_LENGTH,
    H1_CHUNKED,
    H2C
  }

  public static Result post(Mode mode, String url, Path body, String... headers)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("curl", "-sS", "--max-time", Integer.toString(MAX_SECONDS)));
    switch (mode) {
      case H1_CHUNKED -> command.addAll(List.of("--http1.1", "-H", "Transfer-Encoding: chunked"));
      case H2C -> command.add("--http2-prior-knowledge");
      default -> command.add("--http1.1");
    }
    for (String header : headers) {
      command.addAll(List.of("-H", header));
    }
    command.addAll(List.of("--data-binary", "@" + body, url));
    return run(command);
  }

  public static Result get(String url, String... extra) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("curl", "-sS", "--max-time", Integer.toString(MAX_SECONDS)));
    command.addAll(List.of(extra));
    command.add(url);
    return run(command);
  }

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("curl", ".body");
    Path err = Files.createTempFile("curl", ".err");
    try {
      List<String> full = new ArrayList<>(command);
      full.addAll(full.size() - 1, List.of("-o", out.toString(), "-w", "%{http_code}"));
      Process process =
          new ProcessBuilder(full)
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      byte[] code = process.getInputStream().readAllBytes();
      if (!process.waitFor(MAX_SECONDS + 10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("curl did not finish: " + command);
      }
      String status = new String(code, StandardCharsets.US_ASCII).trim();
      return new Result(
          status.isEmpty() ? 0 : Integer.parseInt(status),
          Files.readAllBytes(out),
          Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private Curl() {}
}
