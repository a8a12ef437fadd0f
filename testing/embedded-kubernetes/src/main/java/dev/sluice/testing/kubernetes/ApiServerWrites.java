package dev.sluice.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Writes checked as kube-apiserver 1.32 checks them, before fabric8's CRUD mock stores them (which
 * would accept them all):
 *
 * <ul>
 *   <li>A JSON Patch (RFC 6902) is applied to the stored object strictly first ({@link
 *       StrictJsonPatch}): {@code add} needs the parent to exist ({@code add /x/-} with no array at
 *       {@code x} fails), {@code replace}, {@code remove} and {@code test} need their target, a
 *       failed {@code test} fails — each with 422, as the real server answers. (The mock itself
 *       creates missing parents.)
 *   <li>A pod's status, as it would be stored, passes {@link PodStatusRules}.
 *   <li>metav1.Time fields of core objects are cut to the second, as the real server stores them
 *       ({@link MetaTimes}).
 * </ul>
 *
 * <p>Writes are serialized, so the object a patch was checked against is the one it is applied to.
 */
final class ApiServerWrites extends Dispatcher {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final Pattern POD_STATUS =
      Pattern.compile("/api/v1/namespaces/[^/]+/pods/[^/]+/status");

  private final Dispatcher delegate;
  private final Object writes = new Object();

  ApiServerWrites(Dispatcher delegate) {
    this.delegate = delegate;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if (request.method() == HttpMethod.GET) {
      return delegate.dispatch(request);
    }
    synchronized (writes) {
      try {
        return delegate.dispatch(checked(request));
      } catch (Refusal refusal) {
        return refusal.response();
      }
    }
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }

  /** The request to store: refused, or with its metav1.Time values cut to the second. */
  private RecordedRequest checked(RecordedRequest request) throws Refusal {
    String path = request.getPath() == null ? "" : request.getPath().split("\\?", 2)[0];
    boolean core = path.startsWith("/api/v1/");
    String type = request.getHeader("Content-Type");
    boolean jsonPatch = type != null && type.startsWith("application/json-patch+json");
    HttpMethod method = request.method();
    if (method == HttpMethod.PATCH && jsonPatch) {
      return jsonPatch(request, path, core);
    }
    boolean hasBody = method == HttpMethod.POST || method == HttpMethod.PUT;
    String text = body(request);
    if (!core || !(hasBody || method == HttpMethod.PATCH) || text.isEmpty()) {
      return withBody(request, text);
    }
    JsonNode body = read(text, method == HttpMethod.PATCH ? 422 : 400);
    body = MetaTimes.truncate(body, null, "");
    if (method == HttpMethod.PUT && POD_STATUS.matcher(path).matches()) {
      PodStatusRules.check(body);
    }
    return withBody(request, body.toString());
  }

  private RecordedRequest jsonPatch(RecordedRequest request, String path, boolean core)
      throws Refusal {
    ArrayNode patch = StrictJsonPatch.parse(body(request));
    if (core) {
      for (JsonNode op : patch) {
        JsonNode value = op.get("value");
        if (op instanceof ObjectNode o && value != null) {
          String target = op.path("path").asText();
          String last = target.substring(target.lastIndexOf('/') + 1);
          o.set("value", MetaTimes.truncate(value, last, target));
        }
      }
    }
    JsonNode stored = stored(request, path.replaceFirst("/status$", ""));
    if (stored == null) {
      return withBody(request, patch.toString()); // the mock answers 404 as the real server does
    }
    JsonNode result = StrictJsonPatch.apply(patch, stored);
    if (POD_STATUS.matcher(path).matches()) {
      PodStatusRules.check(result);
    }
    return withBody(request, patch.toString());
  }

  /** The object as stored (read through the mock without recording a request), or null. */
  private @Nullable JsonNode stored(RecordedRequest request, String path) throws Refusal {
    MockResponse found = StoredReads.get(delegate, request, path);
    if (found.code() != 200) {
      return null;
    }
    return read(found.getBody().readUtf8(), 500);
  }

  private static JsonNode read(String body, int code) throws Refusal {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new Refusal(code, "the body is not JSON: " + e.getMessage());
    }
  }

  /**
   * The request's body, left in place: the mock reads a body by draining it, and the request as
   * received stays recorded for {@link EmbeddedKubernetes#takeRequests}.
   */
  private static String body(RecordedRequest request) {
    return request.getBody() == null
        ? ""
        : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
  }

  /** A copy of {@code request} with {@code body}, for the mock to drain. */
  private static RecordedRequest withBody(RecordedRequest request, String body) {
    return new RecordedRequest(
        request.getHttpVersion(),
        request.method(),
        request.getPath(),
        request.getHeaders().newBuilder().removeAll("Content-Length").build(),
        new Buffer(body.getBytes(StandardCharsets.UTF_8)));
  }
}
