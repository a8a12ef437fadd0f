package dev.sluice.testing.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The API server's answers and rewritten requests, as the dispatchers in front of the mock make
 * them.
 */
final class ApiStatus {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private ApiStatus() {}

  /** A {@code Status} failure as the API server sends it. */
  static MockResponse failure(
      int code, String reason, String message, @Nullable Map<String, Object> details) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.put("metadata", Map.of());
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    if (details != null) {
      status.put("details", details);
    }
    status.put("code", code);
    try {
      return new MockResponse()
          .setResponseCode(code)
          .addHeader("Content-Type", "application/json")
          .setBody(new String(JSON.writeValueAsBytes(status), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code request} sent to {@code path} with {@code body}. */
  static RecordedRequest withBody(RecordedRequest request, String path, byte[] body) {
    return new RecordedRequest(
        request.getHttpVersion(),
        request.method(),
        path,
        request
            .getHeaders()
            .newBuilder()
            .set("Content-Length", Integer.toString(body.length))
            .build(),
        new Buffer(body));
  }
}
