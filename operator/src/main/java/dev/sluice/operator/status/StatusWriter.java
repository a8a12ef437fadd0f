package dev.sluice.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the status of a custom resource through the status subresource, carrying status only (a
 * JSON Patch {@code add /status}: the whole status replaced, lists included; why, in
 * docs/design/20261121-operator-reconcile.md, "Status is written with a JSON Patch"), and only when
 * it changed: compared with the object as read and with what this writer last wrote for the same
 * object and generation (the informer may not have seen that write yet), so an unchanged status
 * costs no request. It remembers one status per object, until the object is deleted ({@link
 * #forget}).
 */
public final class StatusWriter {
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();

  /** The status last written for an object, and the generation it was written for. */
  private record Written(Long generation, JsonNode status) {}

  private final KubernetesClient client;
  private final Map<String, Written> written = new ConcurrentHashMap<>();
  private final AtomicLong writes = new AtomicLong();

  public StatusWriter(KubernetesClient client) {
    this.client = client;
  }

  /** Patches {@code next} over the status {@code resource} carries; true when it wrote. */
  public <T extends HasMetadata> boolean write(T resource, Object current, Object next) {
    if (Objects.equals(current, next)) {
      return false;
    }
    Written after = new Written(resource.getMetadata().getGeneration(), JSON.valueToTree(next));
    String key = key(resource);
    if (after.equals(written.get(key))) {
      return false;
    }
    ArrayNode patch = JsonNodeFactory.instance.arrayNode();
    patch.addObject().put("op", "add").put("path", "/status").set("value", after.status());
    try {
      client
          .resource(resource)
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON), JSON.writeValueAsString(patch));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false; // deleted meanwhile: nothing to report on
      }
      throw e;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    written.put(key, after);
    writes.incrementAndGet();
    return true;
  }

  /** Status writes made so far (tests: an unchanged status costs none). */
  public long writes() {
    return writes.get();
  }

  /** Forgets what was written for a deleted object. */
  public void forget(HasMetadata resource) {
    written.remove(key(resource));
  }

  /** How many objects' statuses it remembers (tests: deleted objects' are forgotten). */
  int remembered() {
    return written.size();
  }

  private static String key(HasMetadata resource) {
    return resource.getMetadata().getUid() + "/" + resource.getMetadata().getName();
  }
}
