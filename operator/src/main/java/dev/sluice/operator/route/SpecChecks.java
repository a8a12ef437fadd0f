package dev.sluice.operator.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.api.validation.CrdValidator;
import dev.sluice.api.validation.FieldError;
import dev.sluice.api.validation.SluiceCrds;
import dev.sluice.operator.render.RenderProblem;
import java.util.List;

/**
 * The CRD's own schema and CEL rules, evaluated by the operator on the ProxyRoutes it reads ({@link
 * CrdValidator}, from the same CRD text the API server gets): a route the rules refuse can still be
 * stored, by an API server with an older CRD or before a stricter one was applied, and must not get
 * a half-parsed route past the operator. A route failing any is left out whole with {@code
 * Accepted=False InvalidSpec} naming the field, the value and the rule's message; every other route
 * renders as usual.
 */
final class SpecChecks {
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();
  private static final int SHOWN = 120;

  private SpecChecks() {}

  static List<RenderProblem> check(ProxyRoute route) {
    String name = route.getMetadata().getName();
    if (route.getSpec() == null) {
      return List.of(
          problem(name, "spec", "missing", "a selector, a listener and at least one rule"));
    }
    JsonNode tree = JSON.valueToTree(route);
    return SluiceCrds.forKind("ProxyRoute").checkSpec(tree).stream()
        .filter(error -> !CrdValidator.rulesSkippedNotice(error))
        .map(error -> problem(name, error.field(), found(tree, error), expected(error)))
        .toList();
  }

  /** The value at the error's field: the rule's own node for a CEL rule, "missing" if absent. */
  private static String found(JsonNode tree, FieldError error) {
    if (error.type() == FieldError.Type.REQUIRED) {
      return "missing";
    }
    JsonNode value =
        tree.at("/" + error.field().replace("[", ".").replace("]", "").replace('.', '/'));
    if (value.isMissingNode()) {
      return error.value();
    }
    String text = value.isTextual() ? value.asText() : value.toString();
    return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "...";
  }

  /** What the API server says after the value: the rule's message, or the schema's sentence. */
  private static String expected(FieldError error) {
    return error.detail().isEmpty() ? error.message() : error.detail();
  }

  private static RenderProblem problem(String route, String field, String found, String expected) {
    return RenderProblem.notAccepted(
        RenderProblem.Kind.PROXY_ROUTE, route, Reasons.INVALID_SPEC, field, found, expected);
  }
}
