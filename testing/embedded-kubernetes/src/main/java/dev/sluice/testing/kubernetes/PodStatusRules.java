package dev.sluice.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What kube-apiserver 1.32 checks when a pod's status is written ({@code ValidatePodStatusUpdate}):
 * every condition type other than the kubelet's own must be a qualified name ({@code
 * [prefix/]name}, as label keys). Nothing else of a condition is validated there — a condition's
 * {@code status} is not checked against True/False/Unknown by the real server either.
 */
final class PodStatusRules {
  private static final Set<String> SYSTEM = Set.of("PodScheduled", "Ready", "Initialized");
  private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private PodStatusRules() {}

  /** Refuses {@code pod} (the object as it would be stored) when its status is invalid. */
  static void check(JsonNode pod) throws Refusal {
    JsonNode conditions = pod.path("status").path("conditions");
    for (int i = 0; i < conditions.size(); i++) {
      String type = conditions.get(i).path("type").asText("");
      if (SYSTEM.contains(type)) {
        continue;
      }
      String problem = qualifiedNameProblem(type);
      if (problem != null) {
        throw Refusal.invalid(
            "Pod \""
                + pod.path("metadata").path("name").asText()
                + "\" is invalid: status.conditions["
                + i
                + "].type: Invalid value: \""
                + type
                + "\": "
                + problem);
      }
    }
  }

  /** Why {@code value} is not a qualified name; null when it is one. */
  static @Nullable String qualifiedNameProblem(String value) {
    int slash = value.indexOf('/');
    String name = slash < 0 ? value : value.substring(slash + 1);
    if (slash >= 0) {
      String prefix = value.substring(0, slash);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        return "prefix part must be a lowercase RFC 1123 subdomain";
      }
    }
    if (name.isEmpty()) {
      return "name part must be non-empty";
    }
    if (name.length() > 63) {
      return "name part must be no more than 63 characters";
    }
    if (!NAME.matcher(name).matches()) {
      return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start"
          + " and end with an alphanumeric character";
    }
    return null;
  }
}
