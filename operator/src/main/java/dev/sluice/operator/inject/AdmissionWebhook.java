package dev.sluice.operator.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The mutating webhook's logic, HTTP aside: an AdmissionReview (admission.k8s.io/v1) for a Pod
 * CREATE in, the AdmissionReview answer out — allowed, with a JSON Patch when the injector added
 * the sidecar; refused (503) only when the namespace's labels cannot be read at all, since
 * admitting the pod then might start it without the sidecar it asked for. The patch replaces (or
 * adds) only what injection touches: the labels, annotations, the init containers or containers,
 * and the volumes.
 */
public final class AdmissionWebhook {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final String[][] TOUCHED = {
    {"metadata", "labels"},
    {"metadata", "annotations"},
    {"spec", "initContainers"},
    {"spec", "containers"},
    {"spec", "volumes"}
  };

  private final InjectionSettings settings;
  private final Function<String, Map<String, String>> namespaceLabels;

  /**
   * {@code namespaceLabels}: a namespace's labels, empty if it has none; may throw {@link
   * NamespaceLabels.Unreadable}.
   */
  public AdmissionWebhook(
      InjectionSettings settings, Function<String, Map<String, String>> namespaceLabels) {
    this.settings = settings;
    this.namespaceLabels = namespaceLabels;
  }

  /**
   * The AdmissionReview (admission.k8s.io/v1) an API server sends for creating {@code pod} in its
   * namespace: what a harness that plays the API server (the sandbox, tests) posts.
   */
  public static String reviewOfCreate(Pod pod, String uid, boolean dryRun) {
    ObjectNode request = JSON.createObjectNode();
    request.put("uid", uid);
    request.put("namespace", pod.getMetadata().getNamespace());
    request.put("operation", "CREATE");
    request.put("dryRun", dryRun);
    request.set("object", JSON.valueToTree(pod));
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    review.set("request", request);
    return review.toString();
  }

  /**
   * The outcome: the answer and, when injection was skipped, why (for an event); when an injection
   * left something of the pod's as it was, a note saying what (for the log).
   */
  public record Answer(
      String json,
      boolean injected,
      @Nullable String skipReason,
      @Nullable String namespace,
      Pod pod,
      boolean dryRun,
      @Nullable String note) {}

  /**
   * Answers one review.
   *
   * @throws IllegalArgumentException naming what is missing when the body is not an AdmissionReview
   *     with a Pod
   */
  public Answer review(String body) {
    JsonNode review;
    try {
      review = JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("body is not JSON (expected: an AdmissionReview)", e);
    }
    JsonNode request = review == null ? null : review.get("request");
    if (request == null || !request.hasNonNull("uid") || !request.hasNonNull("object")) {
      throw new IllegalArgumentException(
          "request.uid and request.object are required (expected: an admission.k8s.io/v1"
              + " AdmissionReview for a Pod)");
    }
    JsonNode object = request.get("object");
    Pod pod;
    try {
      pod = JSON.treeToValue(object, Pod.class);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("request.object is not a Pod: " + e.getMessage(), e);
    }
    String namespace =
        request.hasNonNull("namespace")
            ? request.get("namespace").asText()
            : pod.getMetadata() == null ? null : pod.getMetadata().getNamespace();
    ObjectNode response = JSON.createObjectNode();
    response.put("uid", request.get("uid").asText());
    Map<String, String> labels;
    try {
      labels = namespace == null ? Map.of() : namespaceLabels.apply(namespace);
    } catch (NamespaceLabels.Unreadable e) {
      return refused(response, String.valueOf(e.getMessage()), namespace, pod, request);
    }
    InjectionResult result = Injector.inject(pod, labels, settings);
    response.put("allowed", true);
    if (result.injected()) {
      ArrayNode patch = patch(object, JSON.valueToTree(result.pod()));
      response.put("patchType", "JSONPatch");
      response.put(
          "patch",
          Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
    }
    return new Answer(
        review(response),
        result.injected(),
        result.skipReason(),
        namespace,
        result.pod(),
        request.path("dryRun").asBoolean(false),
        result.note());
  }

  /**
   * Not allowed, 503 with {@code message}: the API server refuses the pod (as its failure policy
   * would), the one who created it (a ReplicaSet, a Job) tries again.
   */
  private static Answer refused(
      ObjectNode response, String message, @Nullable String namespace, Pod pod, JsonNode request) {
    response.put("allowed", false);
    ObjectNode status = response.putObject("status");
    status.put("code", 503);
    status.put("reason", "ServiceUnavailable");
    status.put("message", message);
    return new Answer(
        review(response),
        false,
        null,
        namespace,
        pod,
        request.path("dryRun").asBoolean(false),
        null);
  }

  private static String review(ObjectNode response) {
    ObjectNode answer = JSON.createObjectNode();
    answer.put("apiVersion", "admission.k8s.io/v1");
    answer.put("kind", "AdmissionReview");
    answer.set("response", response);
    return answer.toString();
  }

  /** add/replace operations for the parts injection changes. */
  static ArrayNode patch(JsonNode before, JsonNode after) {
    ArrayNode ops = JSON.createArrayNode();
    for (String[] path : TOUCHED) {
      JsonNode old = before.path(path[0]).path(path[1]);
      JsonNode now = after.path(path[0]).path(path[1]);
      if (now.isMissingNode() || now.equals(old)) {
        continue;
      }
      if (before.path(path[0]).isMissingNode()) {
        throw new IllegalArgumentException("request.object has no " + path[0]);
      }
      ObjectNode op = ops.addObject();
      op.put("op", old.isMissingNode() || old.isNull() ? "add" : "replace");
      op.put("path", "/" + path[0] + "/" + path[1]);
      op.set("value", now);
    }
    return ops;
  }
}
