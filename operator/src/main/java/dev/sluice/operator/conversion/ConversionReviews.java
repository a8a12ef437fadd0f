package dev.sluice.operator.conversion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.conversion.ProxyRouteConversion;
import java.util.function.Supplier;

/**
 * Answers {@code apiextensions.k8s.io/v1} ConversionReviews: every object of the request converted
 * to {@code desiredAPIVersion}, in order, under the request's uid. An object that cannot be
 * converted fails the whole review with a message naming it, the field and the value, as the API
 * server expects ({@code result.status: Failure}); it then fails the read or write that needed it.
 */
public final class ConversionReviews {
  static final String API_VERSION = "apiextensions.k8s.io/v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<ProxyRouteConversion> conversion;

  /** {@code conversion}: asked on the first review (it compiles the CRDs' rules once). */
  public ConversionReviews(Supplier<ProxyRouteConversion> conversion) {
    this.conversion = conversion;
  }

  /**
   * The response review for a request review.
   *
   * @throws IllegalArgumentException when {@code review} is no ConversionReview request: not JSON,
   *     another kind or version, or without uid, desiredAPIVersion or objects
   */
  public String answer(String review) {
    JsonNode request = request(review);
    String uid = request.path("uid").asText();
    String desired = request.path("desiredAPIVersion").asText();
    ObjectNode response = JSON.createObjectNode();
    response.put("uid", uid);
    ArrayNode converted = JSON.createArrayNode();
    try {
      int index = 0;
      for (JsonNode object : request.path("objects")) {
        converted.add(convert(object, desired, index++));
      }
      response.set("convertedObjects", converted);
      response.putObject("result").put("status", "Success");
    } catch (IllegalArgumentException e) {
      response.set("convertedObjects", JSON.createArrayNode());
      response.putObject("result").put("status", "Failure").put("message", e.getMessage());
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("apiVersion", API_VERSION);
    out.put("kind", "ConversionReview");
    out.set("response", response);
    return out.toString();
  }

  private ObjectNode convert(JsonNode object, String desired, int index) {
    try {
      return conversion.get().convert(object, desired);
    } catch (IllegalArgumentException e) {
      JsonNode metadata = object.path("metadata");
      throw new IllegalArgumentException(
          "cannot convert "
              + object.path("kind").asText("object")
              + " "
              + metadata.path("namespace").asText("")
              + "/"
              + metadata.path("name").asText("objects[" + index + "]")
              + " from "
              + object.path("apiVersion").asText("?")
              + " to "
              + desired
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static JsonNode request(String review) {
    JsonNode root;
    try {
      root = JSON.readTree(review);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "body: not JSON (expected: a ConversionReview): " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("body: empty (expected: a ConversionReview)");
    }
    expect(root, "apiVersion", API_VERSION);
    expect(root, "kind", "ConversionReview");
    JsonNode request = root.path("request");
    if (!request.path("uid").isTextual() || request.path("uid").asText().isEmpty()) {
      throw new IllegalArgumentException(
          "request.uid: " + shown(request.path("uid")) + " (expected: the review's uid)");
    }
    if (!request.path("desiredAPIVersion").isTextual()) {
      throw new IllegalArgumentException(
          "request.desiredAPIVersion: "
              + shown(request.path("desiredAPIVersion"))
              + " (expected: group/version)");
    }
    if (!request.path("objects").isArray()) {
      throw new IllegalArgumentException(
          "request.objects: " + shown(request.path("objects")) + " (expected: a list of objects)");
    }
    return request;
  }

  /** A field's value as JSON, or {@code absent}. */
  private static String shown(JsonNode value) {
    return value.isMissingNode() ? "absent" : value.toString();
  }

  private static void expect(JsonNode root, String field, String value) {
    if (!root.path(field).asText("").equals(value)) {
      throw new IllegalArgumentException(
          field + ": " + shown(root.path(field)) + " (expected: \"" + value + "\")");
    }
  }
}
