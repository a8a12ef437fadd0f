package dev.sluice.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.zjsonpatch.CompatibilityFlags;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.io.IOException;
import java.util.EnumSet;

/**
 * A JSON Patch (RFC 6902) read and applied as kube-apiserver applies one: the body must be an array
 * of operations (else 400); {@code add} needs the parent to exist, {@code replace}, {@code remove}
 * and {@code test} need their target, a failed {@code test} fails (each 422). zjsonpatch's defaults
 * (and so the mock's) are laxer: they create missing parents and skip removes of what is missing.
 */
final class StrictJsonPatch {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private StrictJsonPatch() {}

  /** The operations of {@code body}, or a 400 refusal when it is no JSON array. */
  static ArrayNode parse(String body) throws Refusal {
    JsonNode patch;
    try {
      patch = JSON.readTree(body);
    } catch (IOException e) {
      throw new Refusal(400, "the body is not JSON: " + e.getMessage());
    }
    if (!(patch instanceof ArrayNode operations)) {
      throw new Refusal(400, "a JSON Patch is an array of operations (RFC 6902)");
    }
    return operations;
  }

  /** {@code target} patched (a copy), or a 422 refusal naming the operation that does not apply. */
  static JsonNode apply(ArrayNode patch, JsonNode target) throws Refusal {
    try {
      return JsonPatch.apply(
          patch, target, EnumSet.of(CompatibilityFlags.FORBID_REMOVE_MISSING_OBJECT));
    } catch (JsonPatchException | IllegalArgumentException e) {
      throw Refusal.invalid(
          "the JSON Patch does not apply to the stored object: " + e.getMessage());
    }
  }
}
