package dev.sluice.operator.route;

import dev.sluice.api.v1alpha1.BackendTarget;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Secrets a namespace's ProxyRoutes name — listener TLS ({@code spec.listener.tls.secretName})
 * and backend CAs ({@code spec.rules[].backend.tls.caSecretName}): all the operator reads and
 * watches of Secrets not its own.
 */
final class SecretReferences {
  private SecretReferences() {}

  static Set<String> of(List<ProxyRoute> routes) {
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
    }
    return names;
  }
}
