package dev.sluice.sidecar.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A sidecar's JSON access log written into memory, read back line by line. */
public final class CapturedAccessLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final AccessLogWriter writer = new AccessLogWriter(synchronizedStream(), 1024);

  /** What the sidecar writes with (the writer closes with the sidecar). */
  public AccessLogOutput output() {
    return new AccessLogOutput(writer, AccessLogFormat.JSON);
  }

  /** Exactly {@code count} lines, once that many were written. */
  public List<JsonNode> lines(int count) throws IOException {
    await().atMost(Duration.ofSeconds(10)).until(() -> writer.written() >= count);
    List<String> text;
    synchronized (out) {
      text = out.toString(StandardCharsets.UTF_8).lines().toList();
    }
    assertThat(text).as("one line per logged exchange").hasSize(count);
    List<JsonNode> lines = new ArrayList<>();
    for (String line : text) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }

  /** The writer's thread writes while the test reads. */
  private OutputStream synchronizedStream() {
    return new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (out) {
          out.write(b);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (out) {
          out.write(b, off, len);
        }
      }
    };
  }
}
