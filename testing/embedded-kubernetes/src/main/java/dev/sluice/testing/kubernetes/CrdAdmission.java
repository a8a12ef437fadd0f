package dev.sluice.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.validation.CrdValidator;
import dev.sluice.api.validation.FieldError;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What the API server does with writes of Sluice's custom resources, in front of the mock's CRUD
 * store: creates, updates and patches of a ProxyRoute or OffloadAgent are pruned, defaulted and
 * validated against the CRD's schema and CEL rules ({@link CrdValidator}, the same code the
 * operator checks with). A refusal is 422 Invalid with the server's message ({@code
 * ProxyRoute.sluice.dev "x" is invalid: spec.rollout: Invalid value: "object": ...}) and causes;
 * unknown fields are dropped with a Warning header, or refused (400) under {@code
 * fieldValidation=Strict}; a strategic merge patch is refused (415), as custom resources do not
 * support it. Writes to the status subresource are checked against the status schema.
 *
 * <p>Not like the API server: a patch is checked on its result, then the mock applies it again, so
 * undeclared fields a patch adds are not dropped; ratcheting is all or nothing ({@link
 * CrdValidator}).
 */
final class CrdAdmission extends Dispatcher {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final Pattern PATH =
      Pattern.compile(
          "^/apis/([^/]+)/([^/]+)/namespaces/([^/]+)/([^/?]+)(?:/([^/?]+))?(/status)?(?:\\?(.*))?$");

  private final Dispatcher store;
  private final Map<String, CrdValidator> byResource = new LinkedHashMap<>();
  private final AtomicBoolean checking = new AtomicBoolean(true);

  CrdAdmission(Dispatcher store, Iterable<CrdValidator> validators) {
    this.store = store;
    validators.forEach(v -> byResource.put(v.group() + "/" + v.plural(), v));
  }

  /** Admits the resources of one more CRD (installed after the server started). */
  void add(CrdValidator validator) {
    byResource.put(validator.group() + "/" + validator.plural(), validator);
  }

  /** Runs {@code writes} as an API server whose CRDs had no schema or rules would take them. */
  void unchecked(Runnable writes) {
    checking.set(false);
    try {
      writes.run();
    } finally {
      checking.set(true);
    }
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    HttpMethod method = request.method();
    Matcher path = PATH.matcher(request.getPath());
    boolean write =
        method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
    if (!write || !checking.get() || !path.matches()) {
      return store.dispatch(request);
    }
    CrdValidator validator = byResource.get(path.group(1) + "/" + path.group(4));
    if (validator == null || (method == HttpMethod.POST) != (path.group(5) == null)) {
      return store.dispatch(request);
    }
    try {
      return admit(validator, request, path);
    } catch (IOException e) {
      return status(
          400, "BadRequest", "the body of the request is not JSON: " + e.getMessage(), null);
    }
  }

  private MockResponse admit(CrdValidator validator, RecordedRequest request, Matcher path)
      throws IOException {
    boolean statusWrite = path.group(6) != null;
    String query = path.group(7) == null ? "" : path.group(7);
    String objectPath = request.getPath().replaceFirst("(/status)?(\\?.*)?$", "");
    @Nullable JsonNode stored =
        request.method() == HttpMethod.POST ? null : stored(request, objectPath);
    ObjectNode proposed;
    if (request.method() == HttpMethod.PATCH) {
      String type = String.valueOf(request.getHeader("Content-Type"));
      if (type.startsWith("application/strategic-merge-patch+json")) {
        return status(
            415,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include:"
                + " application/json-patch+json, application/merge-patch+json,"
                + " application/apply-patch+yaml",
            null);
      }
      @Nullable ObjectNode patched = stored == null ? null : patched(stored, type, body(request));
      if (patched == null) {
        return store.dispatch(request); // not ours to judge: missing object, apply or bad patch
      }
      proposed = patched;
    } else {
      proposed = (ObjectNode) JSON.readTree(body(request));
    }
    CrdValidator.Admission admission = validator.admit(proposed, stored, statusWrite);
    String name = proposed.path("metadata").path("name").asText("");
    if (!admission.errors().isEmpty()) {
      return invalid(validator, name, admission.errors());
    }
    List<String> unknown = admission.unknownFields();
    if (!unknown.isEmpty() && query.contains("fieldValidation=Strict")) {
      return strictRefusal(validator, path.group(2), unknown);
    }
    RecordedRequest forward =
        request.method() == HttpMethod.PATCH
            ? request
            : ApiStatus.withBody(
                request, request.getPath(), JSON.writeValueAsBytes(admission.object()));
    MockResponse response = store.dispatch(forward);
    if (!query.contains("fieldValidation=Ignore")) {
      unknown.forEach(
          f ->
              response.addHeader(
                  "Warning",
                  "299 - " + FieldError.quoted("unknown field " + FieldError.quoted(f))));
    }
    return response;
  }

  private static MockResponse strictRefusal(
      CrdValidator validator, String version, List<String> unknown) {
    List<String> each = unknown.stream().map(f -> "unknown field " + FieldError.quoted(f)).toList();
    return status(
        400,
        "BadRequest",
        validator.kind()
            + " in version "
            + FieldError.quoted(version)
            + " cannot be handled as a "
            + validator.kind()
            + ": strict decoding error: "
            + String.join(", ", each),
        null);
  }

  private @Nullable JsonNode stored(RecordedRequest request, String objectPath) throws IOException {
    MockResponse got =
        store.dispatch(
            new RecordedRequest(
                "HTTP/1.1", HttpMethod.GET, objectPath, request.getHeaders(), new Buffer()));
    return got.code() == 200 ? JSON.readTree(got.getBody().getBytes()) : null;
  }

  private static @Nullable ObjectNode patched(JsonNode stored, String type, byte[] patch) {
    try {
      JsonNode body = JSON.readTree(patch);
      if (type.startsWith("application/json-patch+json")) {
        JsonNode out = JsonPatch.apply(body, stored);
        return out.isObject() ? (ObjectNode) out : null;
      }
      if (type.startsWith("application/merge-patch+json") && body.isObject()) {
        return (ObjectNode) MergePatch.apply(stored, body);
      }
    } catch (IOException | RuntimeException e) {
      // the store answers a malformed patch itself
    }
    return null;
  }

  private static byte[] body(RecordedRequest request) {
    return request.getBody().getBytes();
  }

  private static MockResponse invalid(
      CrdValidator validator, String name, List<FieldError> errors) {
    List<Map<String, Object>> causes = new ArrayList<>();
    for (FieldError error : errors) {
      causes.add(
          Map.of(
              "reason", error.type().reason(), "message", error.message(), "field", error.field()));
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", name);
    details.put("group", validator.group());
    details.put("kind", validator.kind());
    details.put("causes", causes);
    return status(422, "Invalid", validator.invalidMessage(name, errors), details);
  }

  private static MockResponse status(
      int code, String reason, String message, @Nullable Map<String, Object> details) {
    return ApiStatus.failure(code, reason, message, details);
  }
}
