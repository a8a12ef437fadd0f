package dev.sluice.operator.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.v1alpha1.Backend.BackendProtocol;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Resolves an HTTPRoute's backendRef (a rule's, or a RequestMirror's) to a Service port of the
 * route's namespace and the protocol its {@code appProtocol} names, as Gateway API asks: a kind
 * other than Service is InvalidKind, another namespace RefNotPermitted (ReferenceGrant is not
 * supported), a missing Service or port BackendNotFound, an appProtocol the sidecar cannot speak
 * UnsupportedProtocol.
 */
final class BackendRefs {
  /** appProtocol values (Gateway API's GEP-1911 and the plain names) and how they are spoken. */
  private static final Map<String, BackendProtocol> PROTOCOLS =
      Map.of(
          "http", BackendProtocol.HTTP1,
          "kubernetes.io/ws", BackendProtocol.HTTP1,
          "kubernetes.io/h2c", BackendProtocol.H2C);

  private BackendRefs() {}

  /** What a backendRef resolved to: the protocol of its Service port, or why it did not resolve. */
  record Resolution(BackendProtocol protocol, @Nullable Problem problem) {
    boolean resolved() {
      return problem == null;
    }
  }

  static Resolution resolve(
      String namespace, JsonNode ref, Map<String, Service> services, String field) {
    String group = ref.path("group").asText("");
    String kind = ref.path("kind").asText("Service");
    if (!group.isEmpty() || !kind.equals("Service")) {
      return failed(
          GatewayReasons.INVALID_KIND,
          field + ".kind",
          (group.isEmpty() ? "" : group + "/") + kind,
          "Service of the core group (group \"\")");
    }
    String ns = ref.path("namespace").asText(namespace);
    if (!ns.equals(namespace)) {
      return failed(
          GatewayReasons.REF_NOT_PERMITTED,
          field + ".namespace",
          ns,
          "the HTTPRoute's namespace "
              + namespace
              + " (Sluice does not support ReferenceGrant: cross-namespace backendRefs)");
    }
    String name = ref.path("name").asText("");
    Service service = services.get(name);
    if (service == null) {
      return failed(
          GatewayReasons.BACKEND_NOT_FOUND,
          field + ".name",
          name,
          "a Service in namespace " + namespace);
    }
    if (!ref.path("port").canConvertToInt()) {
      return failed(
          GatewayReasons.BACKEND_NOT_FOUND,
          field + ".port",
          ref.path("port").asText(""),
          "a port of Service " + name);
    }
    int port = ref.path("port").asInt();
    ServicePort servicePort = port(service, port);
    if (servicePort == null) {
      return failed(
          GatewayReasons.BACKEND_NOT_FOUND,
          field + ".port",
          Integer.toString(port),
          "a port of Service " + name + ": " + ports(service));
    }
    String appProtocol = servicePort.getAppProtocol();
    BackendProtocol protocol =
        appProtocol == null ? BackendProtocol.HTTP1 : PROTOCOLS.get(appProtocol);
    if (protocol == null) {
      return failed(
          GatewayReasons.UNSUPPORTED_PROTOCOL,
          field,
          name + ":" + port + " appProtocol " + appProtocol,
          "a Service port whose appProtocol is absent, http, kubernetes.io/h2c or kubernetes.io/ws");
    }
    return new Resolution(protocol, null);
  }

  private static Resolution failed(String reason, String field, String found, String expected) {
    return new Resolution(BackendProtocol.HTTP1, new Problem(reason, field, found, expected));
  }

  private static @Nullable ServicePort port(Service service, int port) {
    List<ServicePort> ports =
        service.getSpec() == null || service.getSpec().getPorts() == null
            ? List.of()
            : service.getSpec().getPorts();
    return ports.stream()
        .filter(p -> p.getPort() != null && p.getPort() == port)
        .findFirst()
        .orElse(null);
  }

  private static List<Integer> ports(Service service) {
    return service.getSpec() == null || service.getSpec().getPorts() == null
        ? List.of()
        : service.getSpec().getPorts().stream().map(ServicePort::getPort).toList();
  }
}
