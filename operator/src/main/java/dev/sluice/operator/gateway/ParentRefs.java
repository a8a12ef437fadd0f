package dev.sluice.operator.gateway;

import dev.sluice.api.v1alpha1.Listener;
import dev.sluice.api.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which parentRefs of an HTTPRoute are this controller's (group {@code sluice.dev}, kind {@code
 * ProxyRoute}) and whether the ProxyRoute they name accepts the route: it must be in the route's
 * namespace, and a {@code sectionName} or {@code port} must be its listener's (a ProxyRoute has one
 * listener, named after its protocol: {@code http} or {@code https}).
 */
final class ParentRefs {
  private ParentRefs() {}

  static boolean ours(ParentReference ref) {
    return GatewayApi.PARENT_GROUP.equals(ref.getGroup())
        && GatewayApi.PARENT_KIND.equals(ref.getKind());
  }

  /** The listener's name as a parentRef's {@code sectionName} gives it. */
  static String listenerName(ProxyRoute route) {
    Listener.ListenerProtocol protocol = route.getSpec().listener().protocol();
    return (protocol == null ? Listener.ListenerProtocol.HTTP : protocol)
        .name()
        .toLowerCase(Locale.ROOT);
  }

  /**
   * Why the ProxyRoute {@code ref} names does not accept the route (null: it does).
   *
   * @param field {@code spec.parentRefs[<i>]}
   */
  static @Nullable Problem refusal(
      String namespace, ParentReference ref, String field, Map<String, ProxyRoute> routes) {
    if (ref.getNamespace() != null && !ref.getNamespace().equals(namespace)) {
      return new Problem(
          GatewayReasons.NOT_ALLOWED_BY_LISTENERS,
          field + ".namespace",
          ref.getNamespace(),
          "the HTTPRoute's namespace "
              + namespace
              + ": a ProxyRoute accepts HTTPRoutes of its own namespace only");
    }
    ProxyRoute route = routes.get(ref.getName());
    if (route == null) {
      return new Problem(
          GatewayReasons.NO_MATCHING_PARENT,
          field + ".name",
          String.valueOf(ref.getName()),
          "a ProxyRoute in namespace " + namespace);
    }
    String listener = listenerName(route);
    if (ref.getSectionName() != null
        && !ref.getSectionName().isEmpty()
        && !ref.getSectionName().equals(listener)) {
      return new Problem(
          GatewayReasons.NO_MATCHING_PARENT,
          field + ".sectionName",
          ref.getSectionName(),
          "\"" + listener + "\", the name of ProxyRoute " + ref.getName() + "'s listener");
    }
    Integer port = route.getSpec().listener().port();
    if (ref.getPort() != null && !ref.getPort().equals(port)) {
      return new Problem(
          GatewayReasons.NO_MATCHING_PARENT,
          field + ".port",
          ref.getPort().toString(),
          port + ", the port of ProxyRoute " + ref.getName() + "'s listener");
    }
    return null;
  }
}
