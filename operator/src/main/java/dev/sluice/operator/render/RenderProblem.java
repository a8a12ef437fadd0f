package dev.sluice.operator.render;

import dev.sluice.api.v1alpha1.ConditionTypes;

/**
 * Why (part of) an object was left out of a pod's config: the condition the reconciler reports.
 *
 * @param kind the kind of object it is about
 * @param name the object's name
 * @param conditionType the condition it makes False (Accepted or ResolvedRefs)
 * @param reason the condition's reason (a {@link dev.sluice.api.v1alpha1.Reasons} constant)
 * @param field the field path inside the object
 * @param found the value found
 * @param expected what was expected
 */
public record RenderProblem(
    Kind kind,
    String name,
    String conditionType,
    String reason,
    String field,
    String found,
    String expected) {

  /** The kinds of object a problem can be about; {@code toString} is the Kubernetes kind. */
  public enum Kind {
    PROXY_ROUTE("ProxyRoute"),
    OFFLOAD_AGENT("OffloadAgent");

    private final String kubernetesKind;

    Kind(String kubernetesKind) {
      this.kubernetesKind = kubernetesKind;
    }

    @Override
    public String toString() {
      return kubernetesKind;
    }
  }

  /** The object's spec is wrong ({@code Accepted=False}): a human has to change it. */
  public static RenderProblem notAccepted(
      Kind kind, String name, String reason, String field, String found, String expected) {
    return new RenderProblem(kind, name, ConditionTypes.ACCEPTED, reason, field, found, expected);
  }

  /** Something the object names does not resolve ({@code ResolvedRefs=False}), yet. */
  public static RenderProblem unresolved(
      Kind kind, String name, String reason, String field, String found, String expected) {
    return new RenderProblem(
        kind, name, ConditionTypes.RESOLVED_REFS, reason, field, found, expected);
  }

  /** One sentence naming field and value, for the condition's message. */
  public String message() {
    return field + ": \"" + found + "\" (expected: " + expected + ")";
  }
}
