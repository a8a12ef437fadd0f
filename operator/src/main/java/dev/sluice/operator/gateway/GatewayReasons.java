package dev.sluice.operator.gateway;

/**
 * Gateway API's condition types and reasons for a route's parent status, as its API defines them
 * (RouteConditionType, RouteConditionReason).
 */
final class GatewayReasons {
  static final String ACCEPTED = "Accepted";
  static final String RESOLVED_REFS = "ResolvedRefs";
  static final String PARTIALLY_INVALID = "PartiallyInvalid";

  static final String NOT_ALLOWED_BY_LISTENERS = "NotAllowedByListeners";
  static final String NO_MATCHING_LISTENER_HOSTNAME = "NoMatchingListenerHostname";
  static final String NO_MATCHING_PARENT = "NoMatchingParent";
  static final String UNSUPPORTED_VALUE = "UnsupportedValue";
  static final String REF_NOT_PERMITTED = "RefNotPermitted";
  static final String INVALID_KIND = "InvalidKind";
  static final String BACKEND_NOT_FOUND = "BackendNotFound";
  static final String UNSUPPORTED_PROTOCOL = "UnsupportedProtocol";

  private GatewayReasons() {}
}
