package dev.sluice.operator.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.conversion.ProxyRouteConversion;
import dev.sluice.api.v1alpha1.Backend;
import dev.sluice.api.v1alpha1.Backend.BackendProtocol;
import dev.sluice.api.v1alpha1.RouteMatch;
import dev.sluice.api.v1alpha1.Rule;
import dev.sluice.api.v1alpha1.ServiceReference;
import dev.sluice.api.v1alpha1.WeightedBackend;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One HTTPRoute rule as the stored version's rule: read strictly into {@code sluice.dev/v1alpha2}'s
 * Rule (the same field names as HTTPRoute's, so a field Sluice does not support is refused by name,
 * never ignored) and converted as a v1alpha2 ProxyRoute's rules are. Gateway API's defaults are
 * applied first (a rule without matches matches every request; a path is a PathPrefix of "/"; a
 * header or query match is Exact), since the API server applies them only when it stores the route.
 * Its backendRefs and mirrors are resolved ({@link BackendRefs}): one that does not resolve is kept
 * as its weight, for a 500 in its share of the requests, a mirror that does not resolve is not
 * sent.
 */
final class RuleTranslation {
  private static final ObjectMapper STRICT =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /**
   * Filter types of HTTPRoute Sluice serves (the rest are refused by name): the standard channel's,
   * and the experimental channel's CORS (a standard-channel CRD prunes it before Sluice sees it).
   */
  static final Set<String> FILTERS =
      Set.of(
          "RequestHeaderModifier",
          "ResponseHeaderModifier",
          "RequestRedirect",
          "URLRewrite",
          "RequestMirror",
          "CORS");

  private RuleTranslation() {}

  /**
   * One backendRef of the rule: its weight, and the backend it resolved to or why not.
   *
   * @param weight its share (Gateway's default 1)
   * @param backend the Service port and protocol (null: it did not resolve)
   * @param problem why it did not resolve (null: it did)
   */
  record BackendShare(int weight, @Nullable WeightedBackend backend, @Nullable Problem problem) {}

  /**
   * The rule translated.
   *
   * @param rule the stored version's rule without backends (null: {@code invalid} says why)
   * @param backends its backendRefs in order (empty for a redirect, or a rule that names none)
   * @param invalid why the rule cannot be served at all (null: it can)
   * @param unresolved the backendRefs (and mirrors) that did not resolve
   */
  record Translated(
      @Nullable Rule rule,
      List<BackendShare> backends,
      @Nullable Problem invalid,
      List<Problem> unresolved) {}

  static Translated translate(
      String namespace, JsonNode in, String field, Map<String, Service> services) {
    ObjectNode rule = in.deepCopy();
    List<Problem> unresolved = new ArrayList<>();
    Problem invalid = filters(namespace, rule, field, services, unresolved);
    List<BackendShare> backends = new ArrayList<>();
    JsonNode refs = rule.remove("backendRefs");
    if (invalid == null && refs != null) {
      invalid = backends(namespace, refs, field, services, backends, unresolved);
    }
    if (invalid != null) {
      return new Translated(null, List.of(), invalid, unresolved);
    }
    defaults(rule);
    try {
      dev.sluice.api.v1alpha2.Rule read =
          STRICT.treeToValue(rule, dev.sluice.api.v1alpha2.Rule.class);
      Rule converted = ProxyRouteConversion.toV1alpha1(read);
      Problem pattern = RegularExpressions.check(converted, field);
      return pattern != null
          ? new Translated(null, List.of(), pattern, unresolved)
          : new Translated(converted, backends, null, unresolved);
    } catch (JsonMappingException e) {
      return new Translated(null, List.of(), unreadable(field, e), unresolved);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return new Translated(
          null,
          List.of(),
          new Problem(
              GatewayReasons.UNSUPPORTED_VALUE,
              field,
              String.valueOf(e.getMessage()),
              "a rule Sluice can serve (docs/api.md, \"Attaching HTTPRoutes\")"),
          unresolved);
    }
  }

  /**
   * Refuses filter types Sluice does not serve; resolves each RequestMirror's backendRef (one that
   * does not resolve is removed: that mirror is not sent).
   */
  private static @Nullable Problem filters(
      String namespace,
      ObjectNode rule,
      String field,
      Map<String, Service> services,
      List<Problem> unresolved) {
    JsonNode filters = rule.path("filters");
    ArrayNode kept = JsonNodeFactory.instance.arrayNode();
    for (int f = 0; f < filters.size(); f++) {
      ObjectNode filter = (ObjectNode) filters.get(f);
      String type = filter.path("type").asText("");
      String at = field + ".filters[" + f + "]";
      if (!FILTERS.contains(type)) {
        return new Problem(
            GatewayReasons.UNSUPPORTED_VALUE,
            at + ".type",
            type,
            "one of " + FILTERS.stream().sorted().collect(Collectors.joining(", ")));
      }
      if (type.equals("RequestMirror")) {
        ObjectNode ref = (ObjectNode) filter.path("requestMirror").path("backendRef");
        BackendRefs.Resolution resolution =
            BackendRefs.resolve(namespace, ref, services, at + ".requestMirror.backendRef");
        if (!resolution.resolved()) {
          unresolved.add(resolution.problem());
          continue;
        }
        ref.remove(List.of("namespace", "group", "kind"));
        ref.put("protocol", protocol(resolution.protocol()));
      }
      kept.add(filter);
    }
    if (rule.has("filters")) {
      rule.set("filters", kept);
    }
    return null;
  }

  /** Each backendRef resolved or kept as its weight; a backendRef with filters is refused. */
  private static @Nullable Problem backends(
      String namespace,
      JsonNode refs,
      String field,
      Map<String, Service> services,
      List<BackendShare> out,
      List<Problem> unresolved) {
    for (int b = 0; b < refs.size(); b++) {
      JsonNode ref = refs.get(b);
      String at = field + ".backendRefs[" + b + "]";
      if (ref.path("filters").size() > 0) {
        return new Problem(
            GatewayReasons.UNSUPPORTED_VALUE,
            at + ".filters",
            ref.path("filters").toString(),
            "no filters on a backendRef (Sluice applies filters per rule)");
      }
      int weight = ref.path("weight").asInt(1);
      BackendRefs.Resolution resolution = BackendRefs.resolve(namespace, ref, services, at);
      if (resolution.resolved()) {
        out.add(
            new BackendShare(
                weight,
                new WeightedBackend(
                    weight,
                    new ServiceReference(ref.path("name").asText(), ref.path("port").asInt()),
                    null,
                    resolution.protocol(),
                    null),
                null));
      } else {
        unresolved.add(resolution.problem());
        out.add(new BackendShare(weight, null, resolution.problem()));
      }
    }
    return null;
  }

  /** Gateway API's defaults, which the API server would have applied to a stored route. */
  private static void defaults(ObjectNode rule) {
    if (!rule.has("matches") || rule.path("matches").isEmpty()) {
      rule.putArray("matches").addObject();
    }
    for (JsonNode match : rule.path("matches")) {
      ObjectNode m = (ObjectNode) match;
      ObjectNode path = m.has("path") ? (ObjectNode) m.get("path") : m.putObject("path");
      if (!path.has("type")) {
        path.put("type", "PathPrefix");
      }
      if (!path.has("value")) {
        path.put("value", "/");
      }
      for (String list : List.of("headers", "queryParams")) {
        for (JsonNode condition : m.path(list)) {
          if (!condition.has("type")) {
            ((ObjectNode) condition).put("type", "Exact");
          }
        }
      }
    }
  }

  private static Problem unreadable(String field, JsonMappingException e) {
    StringBuilder path = new StringBuilder(field);
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append('.').append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return new Problem(
        GatewayReasons.UNSUPPORTED_VALUE,
        path.toString(),
        e.getOriginalMessage().lines().findFirst().orElse(""),
        "a field and value Sluice supports (docs/api.md, \"Attaching HTTPRoutes\")");
  }

  private static String protocol(BackendProtocol protocol) {
    return switch (protocol) {
      case HTTP1 -> "http1";
      case H2C -> "h2c";
      case H2 -> "h2";
    };
  }

  /**
   * {@code rule} with only {@code match} (its host set) and its resolved backends: one backendRef
   * that resolved, of a weight above 0, as the rule's one backend (as a v1alpha2 route's rule with
   * one backendRef converts, so a sidecar of any contract can take it); else weighted.
   */
  static Rule with(Rule rule, RouteMatch match, List<BackendShare> shares) {
    List<WeightedBackend> resolved = new ArrayList<>();
    shares.stream().map(BackendShare::backend).filter(b -> b != null).forEach(resolved::add);
    boolean single = shares.size() == 1 && resolved.size() == 1 && shares.get(0).weight() > 0;
    WeightedBackend one = single ? resolved.get(0) : null;
    return new Rule(
        rule.name(),
        List.of(match),
        one == null ? null : new Backend(one.service(), null, one.protocol(), null),
        rule.timeouts(),
        rule.maxRequestBodyBytes(),
        rule.zeroCopy(),
        rule.offload(),
        rule.actions(),
        rule.upgrades(),
        rule.loadBalancer(),
        rule.retry(),
        rule.outlierDetection(),
        rule.requestHeaders(),
        rule.responseHeaders(),
        rule.rewrite(),
        rule.redirect(),
        rule.rateLimit(),
        single || resolved.isEmpty() ? null : resolved,
        rule.mirrors(),
        rule.cors());
  }
}
