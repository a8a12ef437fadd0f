package dev.sluice.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.conversion.ProxyRouteConversion;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ProxyRoutes in their served but not stored version, {@code sluice.dev/v1alpha2}, as the API
 * server keeps them through the CRD's conversion webhook: stored as v1alpha1 (what the operator
 * reads), converted on every write and read by the same code the operator's webhook runs ({@link
 * ProxyRouteConversion}). Creates, updates, JSON and merge patches (applied to the v1alpha2 view,
 * as the server does; a JSON Patch as strictly as {@link ApiServerWrites} applies one in the stored
 * version, {@link StrictJsonPatch}), gets, lists and deletes. A conversion that fails is a 500
 * naming the webhook and its message, as the server answers.
 *
 * <p>Not like the API server: a watch in v1alpha2 is refused (501) rather than converted; the
 * operator and the tests watch the stored version.
 */
final class StorageVersions extends Dispatcher {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final String SERVED = "/apis/sluice.dev/v1alpha2/";
  private static final String STORED = "/apis/sluice.dev/v1alpha1/";
  private static final Pattern PATH =
      Pattern.compile(
          "^/apis/sluice\\.dev/v1alpha2/(?:namespaces/[^/]+/)?proxyroutes(/[^/?]+)?(/status)?(\\?.*)?$");

  private final Dispatcher store;
  private final ProxyRouteConversion conversion = ProxyRouteConversion.standard();

  StorageVersions(Dispatcher store) {
    this.store = store;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Matcher path = PATH.matcher(request.getPath());
    if (!path.matches()) {
      return store.dispatch(request);
    }
    String query = path.group(3) == null ? "" : path.group(3);
    if (query.contains("watch=true") || query.contains("watch=1")) {
      return status(
          501,
          "NotImplemented",
          "the embedded API does not watch ProxyRoutes as sluice.dev/v1alpha2 (expected: a watch"
              + " of sluice.dev/v1alpha1, the stored version)");
    }
    String storedPath = request.getPath().replace(SERVED, STORED);
    try {
      return switch (request.method()) {
        case POST, PUT -> write(request, storedPath, JSON.readTree(body(request)));
        case PATCH -> patch(request, storedPath);
        default -> served(store.dispatch(ApiStatus.withBody(request, storedPath, body(request))));
      };
    } catch (IllegalArgumentException e) {
      return status(
          500,
          "InternalError",
          "conversion webhook for sluice.dev/v1alpha1, Kind=ProxyRoute failed: " + e.getMessage());
    } catch (IOException e) {
      return status(400, "BadRequest", "the body of the request is not JSON: " + e.getMessage());
    }
  }

  private MockResponse write(RecordedRequest request, String storedPath, JsonNode object)
      throws IOException {
    ObjectNode stored = conversion.convert(object, ProxyRouteConversion.V1ALPHA1);
    return served(
        store.dispatch(ApiStatus.withBody(request, storedPath, JSON.writeValueAsBytes(stored))));
  }

  /** A patch applies to the object as the client sees it (v1alpha2), then is stored whole. */
  private MockResponse patch(RecordedRequest request, String storedPath) throws IOException {
    String objectPath = storedPath.replaceFirst("(/status)?(\\?.*)?$", "");
    MockResponse got =
        store.dispatch(
            new RecordedRequest(
                "HTTP/1.1", HttpMethod.GET, objectPath, request.getHeaders(), new Buffer()));
    if (got.code() != 200) {
      return got;
    }
    JsonNode current =
        conversion.convert(JSON.readTree(got.getBody().getBytes()), ProxyRouteConversion.V1ALPHA2);
    String type = String.valueOf(request.getHeader("Content-Type"));
    JsonNode patched;
    if (type.startsWith("application/json-patch+json")) {
      try {
        patched =
            StrictJsonPatch.apply(
                StrictJsonPatch.parse(new String(body(request), StandardCharsets.UTF_8)), current);
      } catch (Refusal refusal) {
        return refusal.response();
      }
    } else if (type.startsWith("application/merge-patch+json")) {
      patched = MergePatch.apply(current, JSON.readTree(body(request)));
    } else {
      return status(
          415,
          "UnsupportedMediaType",
          "the body of the request was in an unknown format - accepted media types include:"
              + " application/json-patch+json, application/merge-patch+json");
    }
    RecordedRequest put =
        new RecordedRequest(
            request.getHttpVersion(),
            HttpMethod.PUT,
            storedPath,
            request.getHeaders().newBuilder().set("Content-Type", "application/json").build(),
            new Buffer());
    return write(put, storedPath, patched);
  }

  /** The store's answer as the client asked for it: objects and list items in v1alpha2. */
  private MockResponse served(MockResponse response) {
    if (response.code() >= 300 || response.getBody() == null) {
      return response;
    }
    try {
      JsonNode body = JSON.readTree(response.getBody().getBytes());
      JsonNode out = body;
      if (body.path("kind").asText().equals("ProxyRoute")) {
        out = conversion.convert(body, ProxyRouteConversion.V1ALPHA2);
      } else if (body.path("items").isArray()) {
        ObjectNode list = ((ObjectNode) body).deepCopy();
        list.put("apiVersion", ProxyRouteConversion.V1ALPHA2);
        ArrayNode items = list.putArray("items");
        body.path("items")
            .forEach(i -> items.add(conversion.convert(i, ProxyRouteConversion.V1ALPHA2)));
        out = list;
      }
      return response.setBody(new String(JSON.writeValueAsBytes(out), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return response;
    }
  }

  private static byte[] body(RecordedRequest request) {
    return request.getBody() == null ? new byte[0] : request.getBody().getBytes();
  }

  private static MockResponse status(int code, String reason, String message) {
    return ApiStatus.failure(code, reason, message, null);
  }
}
