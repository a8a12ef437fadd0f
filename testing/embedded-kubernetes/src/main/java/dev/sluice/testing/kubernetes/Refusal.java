package dev.sluice.testing.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A write the real API server refuses, answered as it answers: a {@code Status} with the HTTP code,
 * the reason ({@code Invalid} for 422, {@code BadRequest} for 400) and one sentence.
 */
final class Refusal extends Exception {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final int code;

  Refusal(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** 422 Invalid: kube-apiserver's answer to a patch that does not apply or an invalid object. */
  static Refusal invalid(String message) {
    return new Refusal(422, message);
  }

  int code() {
    return code;
  }

  MockResponse response() {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.put("metadata", Map.of());
    status.put("status", "Failure");
    status.put("message", getMessage());
    status.put("reason", code == 422 ? "Invalid" : "BadRequest");
    status.put("code", code);
    try {
      return new MockResponse()
          .setResponseCode(code)
          .setHeader("Content-Type", "application/json")
          .setBody(JSON.writeValueAsString(status));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
