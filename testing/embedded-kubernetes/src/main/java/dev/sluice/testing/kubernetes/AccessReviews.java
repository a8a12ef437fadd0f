package dev.sluice.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Answers {@code SubjectAccessReview}s as kube-apiserver's RBAC authorizer does, from the Roles,
 * ClusterRoles and bindings stored at the time of the review ({@link RbacRules}); the CRUD mock
 * alone would store the review and echo it back without a decision. A review without {@code
 * resourceAttributes} (non-resource URLs) is denied. Every other request passes through.
 */
final class AccessReviews extends Dispatcher {
  static final String PATH = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
  private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Dispatcher delegate;

  AccessReviews(Dispatcher delegate) {
    this.delegate = delegate;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath() == null ? "" : request.getPath().split("\\?", 2)[0];
    if (request.method() != HttpMethod.POST || !PATH.equals(path)) {
      return delegate.dispatch(request);
    }
    try {
      return review(request);
    } catch (Refusal refusal) {
      return refusal.response();
    }
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }

  private MockResponse review(RecordedRequest request) throws Refusal {
    JsonNode body;
    try {
      body =
          JSON.readTree(
              request.getBody() == null
                  ? ""
                  : new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new Refusal(400, "the body is not JSON: " + e.getMessage());
    }
    JsonNode spec = body.path("spec");
    if (!spec.hasNonNull("user") && !spec.has("groups")) {
      throw Refusal.invalid(
          "spec.user: Invalid value: \"\": at least one of user or group must be specified");
    }
    JsonNode attributes = spec.path("resourceAttributes");
    Optional<String> allowed = Optional.empty();
    if (attributes.isObject()) {
      Set<String> groups = new LinkedHashSet<>();
      spec.path("groups").forEach(g -> groups.add(g.asText()));
      String namespace = attributes.path("namespace").asText("");
      RbacRules.Request asked =
          new RbacRules.Request(
              spec.path("user").asText(""),
              groups,
              namespace,
              attributes.path("verb").asText(""),
              attributes.path("group").asText(""),
              attributes.path("resource").asText(""),
              attributes.path("subresource").asText(""),
              attributes.path("name").asText(""));
      allowed = RbacRules.allowedBy(asked, stored(request, namespace));
    }
    ObjectNode answer = body.deepCopy();
    ObjectNode status = answer.putObject("status");
    status.put("allowed", allowed.isPresent());
    allowed.ifPresent(reason -> status.put("reason", reason));
    return new MockResponse()
        .setResponseCode(201)
        .setHeader("Content-Type", "application/json")
        .setBody(answer.toString());
  }

  private RbacRules.Objects stored(RecordedRequest request, String namespace) throws Refusal {
    return new RbacRules.Objects(
        items(request, RBAC + "/clusterroles"),
        items(request, RBAC + "/clusterrolebindings"),
        namespace.isEmpty()
            ? List.of()
            : items(request, RBAC + "/namespaces/" + namespace + "/roles"),
        namespace.isEmpty()
            ? List.of()
            : items(request, RBAC + "/namespaces/" + namespace + "/rolebindings"));
  }

  /** The items of a list, read through the mock without recording a request. */
  private List<JsonNode> items(RecordedRequest request, String path) throws Refusal {
    MockResponse found = StoredReads.get(delegate, request, path);
    List<JsonNode> out = new ArrayList<>();
    if (found.code() != 200) {
      return out;
    }
    try {
      JSON.readTree(found.getBody().readUtf8()).path("items").forEach(out::add);
    } catch (IOException e) {
      throw new Refusal(500, "the stored list is not JSON: " + e.getMessage());
    }
    return out;
  }
}
