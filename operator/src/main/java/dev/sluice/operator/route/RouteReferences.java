package dev.sluice.operator.route;

import dev.sluice.api.v1alpha1.BackendTarget;
import dev.sluice.api.v1alpha1.ClientCertificates;
import dev.sluice.api.v1alpha1.ClientCertificates.CaCertificateRef;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Secrets and ConfigMaps a namespace's ProxyRoutes name — listener TLS ({@code
 * spec.listener.tls.secretName}), backend CAs ({@code spec.rules[].backend.tls.caSecretName}) and
 * client CAs ({@code spec.listener.tls.clientCertificates.caCertificateRefs}, either kind): all the
 * operator reads and watches of Secrets and ConfigMaps not its own.
 */
final class RouteReferences {
  private RouteReferences() {}

  static Set<String> secrets(List<ProxyRoute> routes) {
    Set<String> names = new TreeSet<>();
    for (ProxyRoute route : routes) {
      var spec = route.getSpec();
      if (spec == null) {
        continue;
      }
      if (spec.listener() != null
          && spec.listener().tls() != null
          && spec.listener().tls().secretName() != null) {
        names.add(spec.listener().tls().secretName());
      }
      for (Rule rule : spec.rules() == null ? List.<Rule>of() : spec.rules()) {
        List<BackendTarget> targets = new ArrayList<>();
        if (rule != null && rule.backend() != null) {
          targets.add(rule.backend());
        }
        if (rule != null && rule.backends() != null) {
          targets.addAll(rule.backends());
        }
        if (rule != null && rule.mirrors() != null) {
          targets.addAll(rule.mirrors());
        }
        for (BackendTarget backend : targets) {
          if (backend.tls() != null && backend.tls().caSecretName() != null) {
            names.add(backend.tls().caSecretName());
          }
        }
      }
      names.addAll(caRefs(route, CaCertificateRef.Kind.SECRET));
    }
    return names;
  }

  static Set<String> configMaps(List<ProxyRoute> routes) {
    Set<String> names = new TreeSet<>();
    for (ProxyRoute route : routes) {
      names.addAll(caRefs(route, CaCertificateRef.Kind.CONFIG_MAP));
    }
    return names;
  }

  /** The names of {@code kind} the route's client certificate CA references name. */
  private static Set<String> caRefs(ProxyRoute route, CaCertificateRef.Kind kind) {
    Set<String> names = new TreeSet<>();
    var spec = route.getSpec();
    if (spec == null || spec.listener() == null || spec.listener().tls() == null) {
      return names;
    }
    ClientCertificates certs = spec.listener().tls().clientCertificates();
    if (certs == null || certs.caCertificateRefs() == null) {
      return names;
    }
    for (CaCertificateRef ref : certs.caCertificateRefs()) {
      if (ref != null && ref.name() != null && ref.kindOrDefault() == kind) {
        names.add(ref.name());
      }
    }
    return names;
  }
}
