package dev.sluice.cli.check;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Every permission the operator needs, the one list {@code check} asks the API server about: the
 * rules of the chart's ClusterRole and Role (charts/sluice/templates/rbac.yaml, equal to
 * operator/deploy/rbac.yaml; RbacIT proves the operator needs no more). OperatorAccessTest fails
 * when the chart and this list differ.
 */
public final class OperatorAccess {
  /** Where a permission must hold. */
  public enum Scope {
    /** In every namespace (or cluster-scoped): a ClusterRole bound cluster-wide. */
    CLUSTER,
    /** In the operator's own namespace: its Role. */
    OPERATOR_NAMESPACE
  }

  /** Which object a permission is limited to (RBAC resourceNames). */
  public enum Named {
    ANY,
    WEBHOOK,
    TLS_SECRET,
    /** ProxyRoute's CRD, whose conversion webhook's caBundle the operator keeps. */
    PROXY_ROUTES_CRD
  }

  /**
   * One verb on one resource.
   *
   * @param group the API group ("" for core)
   * @param resource the resource, with its subresource as {@code pods/status}
   * @param verb the verb
   * @param named the one object it is limited to, or any
   * @param scope where it must hold
   */
  public record Access(String group, String resource, String verb, Named named, Scope scope) {
    /** The object's name for {@code install}, or null for any. */
    public @Nullable String name(Installation install) {
      return switch (named) {
        case ANY -> null;
        case WEBHOOK -> install.webhook();
        case PROXY_ROUTES_CRD -> "proxyroutes.sluice.dev";
        case TLS_SECRET -> install.tlsSecret();
      };
    }

    /** As {@code kubectl auth can-i} takes it: {@code patch pods/status}. */
    public String describe(Installation install) {
      String name = name(install);
      return verb
          + " "
          + resource
          + (group.isEmpty() ? "" : "." + group)
          + (name == null ? "" : " " + name)
          + (scope == Scope.OPERATOR_NAMESPACE ? " in " + install.namespace() : "");
    }
  }

  public static final List<Access> REQUIRED = build();

  private OperatorAccess() {}

  private static List<Access> build() {
    List<Access> out = new ArrayList<>();
    cluster(out, "sluice.dev", List.of("proxyroutes", "offloadagents"), "get", "list", "watch");
    cluster(
        out, "sluice.dev", List.of("proxyroutes/status", "offloadagents/status"), "get", "patch");
    cluster(out, "gateway.networking.k8s.io", List.of("httproutes"), "get", "list", "watch");
    cluster(out, "gateway.networking.k8s.io", List.of("httproutes/status"), "patch");
    cluster(out, "", List.of("namespaces"), "get", "list", "watch");
    cluster(out, "", List.of("pods"), "get", "list", "watch", "patch");
    cluster(out, "", List.of("pods/status"), "patch");
    cluster(out, "", List.of("services"), "list", "watch");
    cluster(out, "discovery.k8s.io", List.of("endpointslices"), "list", "watch");
    cluster(out, "", List.of("secrets"), "get", "list", "watch", "create", "delete");
    cluster(out, "", List.of("configmaps"), "get", "list", "watch", "create", "update");
    cluster(out, "", List.of("events"), "get", "create", "patch");
    cluster(out, "authentication.k8s.io", List.of("tokenreviews"), "create");
    for (String verb : List.of("get", "update")) {
      out.add(
          new Access(
              "admissionregistration.k8s.io",
              "mutatingwebhookconfigurations",
              verb,
              Named.WEBHOOK,
              Scope.CLUSTER));
    }
    for (String verb : List.of("get", "update")) {
      out.add(
          new Access(
              "apiextensions.k8s.io",
              "customresourcedefinitions",
              verb,
              Named.PROXY_ROUTES_CRD,
              Scope.CLUSTER));
    }
    out.add(new Access("", "secrets", "update", Named.TLS_SECRET, Scope.OPERATOR_NAMESPACE));
    for (String verb : List.of("get", "create", "update", "patch")) {
      out.add(
          new Access("coordination.k8s.io", "leases", verb, Named.ANY, Scope.OPERATOR_NAMESPACE));
    }
    return List.copyOf(out);
  }

  private static void cluster(
      List<Access> out, String group, List<String> resources, String... verbs) {
    for (String resource : resources) {
      for (String verb : verbs) {
        out.add(new Access(group, resource, verb, Named.ANY, Scope.CLUSTER));
      }
    }
  }
}
