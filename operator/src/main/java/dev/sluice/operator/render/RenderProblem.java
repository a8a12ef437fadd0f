package dev.sluice.operator.render;

/**
 * Why (part of) an object was left out of a pod's config: the condition the reconciler reports.
 *
 * @param kind ProxyRoute or OffloadAgent
 * @param name the object's name
 * @param conditionType the condition it makes False (Accepted or ResolvedRefs)
 * @param reason the condition's reason (a {@link dev.sluice.api.v1alpha1.Reasons} constant)
 * @param field the field path inside the object
 * @param found the value found
 * @param expected what was expected
 */
public record RenderProblem(
    String kind,
    String name,
    String conditionType,
    String reason,
    String field,
    String found,
    String expected) {

  /** One sentence naming field and value, for the condition's message. */
  public String message() {
    return field + ": \"" + found + "\" (expected: " + expected + ")";
  }
}
