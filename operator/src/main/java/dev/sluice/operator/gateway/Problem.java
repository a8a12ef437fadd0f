package dev.sluice.operator.gateway;

/**
 * Why an attachment, a rule or a backendRef of an HTTPRoute is not (wholly) served: a Gateway API
 * reason and one sentence naming the field, the value and what was expected.
 *
 * @param reason the condition's reason ({@link GatewayReasons})
 * @param field the field path inside the HTTPRoute
 * @param found the value found
 * @param expected what was expected
 */
record Problem(String reason, String field, String found, String expected) {
  String message() {
    return field + ": \"" + found + "\" (expected: " + expected + ")";
  }
}
