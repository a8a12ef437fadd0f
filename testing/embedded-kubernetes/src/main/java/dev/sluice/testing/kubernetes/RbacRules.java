package dev.sluice.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * Kubernetes' RBAC authorizer over the stored Roles, ClusterRoles and their bindings: a request is
 * allowed when a ClusterRoleBinding, or a RoleBinding in the request's namespace, binds a subject
 * matching the user or one of its groups to a role with a rule matching group, resource
 * (subresource as {@code resource/sub}), verb and name. Everything else is denied, as the real
 * server denies it (RBAC has no deny rules). Aggregated ClusterRoles are not expanded.
 */
final class RbacRules {
  /** What a SubjectAccessReview asks: {@code spec.user}, {@code spec.groups}, the attributes. */
  record Request(
      String user,
      Set<String> groups,
      String namespace,
      String verb,
      String group,
      String resource,
      String subresource,
      String name) {}

  /** The stored RBAC objects (the {@code items} of each list). */
  record Objects(
      List<JsonNode> clusterRoles,
      List<JsonNode> clusterRoleBindings,
      List<JsonNode> roles,
      List<JsonNode> roleBindings) {}

  private RbacRules() {}

  /** The reason the real authorizer gives when it allows, or empty when it denies. */
  static Optional<String> allowedBy(Request request, Objects objects) {
    for (JsonNode binding : objects.clusterRoleBindings()) {
      Optional<String> why =
          viaBinding(request, binding, "ClusterRoleBinding", objects.clusterRoles(), List.of());
      if (why.isPresent()) {
        return why;
      }
    }
    if (request.namespace().isEmpty()) {
      return Optional.empty();
    }
    for (JsonNode binding : objects.roleBindings()) {
      if (request.namespace().equals(binding.path("metadata").path("namespace").asText())) {
        Optional<String> why =
            viaBinding(request, binding, "RoleBinding", objects.clusterRoles(), objects.roles());
        if (why.isPresent()) {
          return why;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> viaBinding(
      Request request,
      JsonNode binding,
      String bindingKind,
      List<JsonNode> clusterRoles,
      List<JsonNode> roles) {
    Optional<String> subject = matchingSubject(request, binding);
    if (subject.isEmpty()) {
      return Optional.empty();
    }
    JsonNode ref = binding.path("roleRef");
    String kind = ref.path("kind").asText();
    String roleName = ref.path("name").asText();
    String bindingNamespace = binding.path("metadata").path("namespace").asText();
    List<JsonNode> candidates = "ClusterRole".equals(kind) ? clusterRoles : roles;
    for (JsonNode role : candidates) {
      boolean sameName = roleName.equals(role.path("metadata").path("name").asText());
      boolean sameNamespace =
          !"Role".equals(kind)
              || bindingNamespace.equals(role.path("metadata").path("namespace").asText());
      if (sameName && sameNamespace && anyRuleAllows(role.path("rules"), request)) {
        String where =
            bindingNamespace.isEmpty() ? "" : " in namespace \"" + bindingNamespace + "\"";
        return Optional.of(
            "RBAC: allowed by "
                + bindingKind
                + " \""
                + binding.path("metadata").path("name").asText()
                + "\" of "
                + kind
                + " \""
                + roleName
                + "\" to "
                + subject.get()
                + where);
      }
    }
    return Optional.empty();
  }

  private static Optional<String> matchingSubject(Request request, JsonNode binding) {
    for (JsonNode s : binding.path("subjects")) {
      String kind = s.path("kind").asText();
      String name = s.path("name").asText();
      String namespace = s.path("namespace").asText();
      boolean matches =
          switch (kind) {
            case "ServiceAccount" ->
                request.user().equals("system:serviceaccount:" + namespace + ":" + name);
            case "User" -> request.user().equals(name);
            case "Group" -> request.groups().contains(name);
            default -> false;
          };
      if (matches) {
        return Optional.of(
            kind + " \"" + (kind.equals("ServiceAccount") ? namespace + "/" : "") + name + "\"");
      }
    }
    return Optional.empty();
  }

  private static boolean anyRuleAllows(JsonNode rules, Request request) {
    for (JsonNode rule : rules) {
      if (rule.has("nonResourceURLs") && !rule.has("resources")) {
        continue;
      }
      String resource =
          request.subresource().isEmpty()
              ? request.resource()
              : request.resource() + "/" + request.subresource();
      List<String> names = texts(rule.path("resourceNames"));
      if (matches(texts(rule.path("apiGroups")), request.group())
          && resourceMatches(texts(rule.path("resources")), request)
          && matches(texts(rule.path("verbs")), request.verb())
          && (names.isEmpty() || names.contains(request.name()))
          && !resource.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private static boolean resourceMatches(List<String> resources, Request request) {
    String sub = request.subresource();
    for (String r : resources) {
      if (r.equals("*")) {
        return true;
      }
      if (sub.isEmpty() ? r.equals(request.resource()) : r.equals(request.resource() + "/" + sub)) {
        return true;
      }
      if (!sub.isEmpty() && (r.equals("*/" + sub) || r.equals(request.resource() + "/*"))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(List<String> allowed, String value) {
    return allowed.contains("*") || allowed.contains(value);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    StreamSupport.stream(array.spliterator(), false).forEach(n -> out.add(n.asText()));
    return out;
  }
}
