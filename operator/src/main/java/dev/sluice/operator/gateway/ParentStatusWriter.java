package dev.sluice.operator.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an HTTPRoute's {@code status.parents} through the status subresource. Other controllers
 * write their own entries into the same list, so the write is a JSON Patch that first tests the
 * {@code resourceVersion} the entries were merged into: a route changed meanwhile is refused
 * (nothing of another controller's is lost) and the next pass, which its change triggers, merges
 * again. What was last written for a route's version is remembered, so a pass before the informer
 * saw the write does not write it again.
 */
public final class ParentStatusWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ParentStatusWriter.class);
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final KubernetesClient client;
  private final Map<String, String> written = new ConcurrentHashMap<>();

  public ParentStatusWriter(KubernetesClient client) {
    this.client = client;
  }

  /** Writes {@code parents} as the route's status when it changed; true when it wrote. */
  boolean write(HTTPRoute route, List<RouteParentStatus> parents) {
    if (!ParentStatuses.changed(route, parents)) {
      return false;
    }
    String key = route.getMetadata().getNamespace() + "/" + route.getMetadata().getName();
    ArrayNode patch = JsonNodeFactory.instance.arrayNode();
    patch
        .addObject()
        .put("op", "test")
        .put("path", "/metadata/resourceVersion")
        .put("value", route.getMetadata().getResourceVersion());
    patch
        .addObject()
        .put("op", "add")
        .put("path", "/status")
        .set("value", JSON.createObjectNode().set("parents", JSON.valueToTree(parents)));
    String body;
    try {
      body = JSON.writeValueAsString(patch);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a status is always JSON", e);
    }
    String memory = route.getMetadata().getResourceVersion() + " " + body.hashCode();
    if (memory.equals(written.get(key))) {
      return false;
    }
    try {
      client
          .resources(HTTPRoute.class)
          .inNamespace(route.getMetadata().getNamespace())
          .withName(route.getMetadata().getName())
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON), body);
      written.put(key, memory);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 409 || e.getCode() == 422) {
        // Deleted, or changed since it was read: the change brings another pass.
        LOG.debug("HTTPRoute {} status not written ({}): it changed meanwhile", key, e.getCode());
        return false;
      }
      throw e;
    }
  }

  /**
   * Each HTTPRoute's parent entries as {@code result} has them, written where they changed; an
   * HTTPRoute naming no ProxyRoute is not touched.
   */
  public void writeAll(List<HTTPRoute> routes, HttpRouteAttachments.Result result, String now) {
    for (HTTPRoute route : routes) {
      List<HttpRouteAttachments.ParentOutcome> outcomes =
          result.parents().get(route.getMetadata().getName());
      if (outcomes != null) {
        write(route, ParentStatuses.next(route, outcomes, now));
      }
    }
  }

  /** The route was deleted: nothing of it is remembered any more. */
  public void forget(HTTPRoute route) {
    written.remove(route.getMetadata().getNamespace() + "/" + route.getMetadata().getName());
  }
}
