package dev.sluice.charts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An API server that answers only what Helm asks before it renders a release: {@code /version} and
 * API discovery ({@code /api}, {@code /apis} and each group version's resources), from which {@code
 * .Capabilities.APIVersions} is made. Everything else is 404 and recorded, so a test sees it if
 * Helm went further. What it serves is the built-in kinds the chart renders, plus any kinds a test
 * adds (e.g. {@code monitoring.coreos.com/v1/PodMonitor}, as the Prometheus operator's CRDs do).
 */
final class DiscoveryApiServer implements AutoCloseable {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** A kind the server serves: group ("" for core), version, kind, plural, namespaced. */
  record Kind(String group, String version, String kind, String plural, boolean namespaced) {
    String groupVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }
  }

  /** The built-in kinds a cluster serves that the chart renders. */
  static final List<Kind> BUILT_IN =
      List.of(
          new Kind("", "v1", "Namespace", "namespaces", false),
          new Kind("", "v1", "ServiceAccount", "serviceaccounts", true),
          new Kind("", "v1", "Service", "services", true),
          new Kind("", "v1", "ConfigMap", "configmaps", true),
          new Kind("", "v1", "Secret", "secrets", true),
          new Kind("", "v1", "Pod", "pods", true),
          new Kind("apps", "v1", "Deployment", "deployments", true),
          new Kind("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true),
          new Kind("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false),
          new Kind(
              "rbac.authorization.k8s.io",
              "v1",
              "ClusterRoleBinding",
              "clusterrolebindings",
              false),
          new Kind("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
          new Kind("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true),
          new Kind(
              "admissionregistration.k8s.io",
              "v1",
              "MutatingWebhookConfiguration",
              "mutatingwebhookconfigurations",
              false),
          new Kind(
              "apiextensions.k8s.io",
              "v1",
              "CustomResourceDefinition",
              "customresourcedefinitions",
              false));

  /** The Prometheus operator's two kinds the chart may render. */
  static final List<Kind> PROMETHEUS_OPERATOR =
      List.of(
          new Kind("monitoring.coreos.com", "v1", "PodMonitor", "podmonitors", true),
          new Kind("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors", true));

  private final HttpServer server;
  private final Map<String, List<Kind>> byGroupVersion = new LinkedHashMap<>();
  private final List<String> lookups = new CopyOnWriteArrayList<>();

  DiscoveryApiServer(List<Kind> kinds) throws IOException {
    for (Kind kind : kinds) {
      byGroupVersion.computeIfAbsent(kind.groupVersion(), gv -> new ArrayList<>()).add(kind);
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A kubeconfig for this server in {@code dir}. */
  Path kubeconfig(Path dir) throws IOException {
    return Files.writeString(
        dir.resolve("kubeconfig"),
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: discovery, cluster: {server: "http://127.0.0.1:%d"}}]
        users: [{name: helm, user: {token: helm}}]
        contexts: [{name: discovery, context: {cluster: discovery, user: helm}}]
        current-context: discovery
        """
            .formatted(server.getAddress().getPort()));
  }

  /**
   * What Helm looked up beyond discovery, as {@code Kind/name}: the objects of the release it would
   * create (other requests as {@code METHOD path}).
   */
  List<String> lookups() {
    return List.copyOf(lookups);
  }

  private String lookup(String method, String path) {
    String[] parts = path.split("/");
    if (method.equals("GET") && parts.length >= 4) {
      String plural = parts[parts.length - 2];
      for (List<Kind> kinds : byGroupVersion.values()) {
        for (Kind kind : kinds) {
          if (kind.plural().equals(plural)) {
            return kind.kind() + "/" + parts[parts.length - 1];
          }
        }
      }
    }
    return method + " " + path;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Object body = answer(path);
      if (body == null) {
        lookups.add(lookup(exchange.getRequestMethod(), path));
        send(
            exchange,
            404,
            Map.of(
                "kind", "Status",
                "apiVersion", "v1",
                "status", "Failure",
                "reason", "NotFound",
                "code", 404));
        return;
      }
      send(exchange, 200, body);
    }
  }

  private Object answer(String path) {
    if (path.equals("/version")) {
      return Map.of(
          "major", "1", "minor", "30", "gitVersion", "v1.30.0", "platform", "linux/amd64");
    }
    if (path.equals("/api")) {
      return Map.of("kind", "APIVersions", "versions", List.of("v1"));
    }
    if (path.equals("/apis")) {
      List<Object> groups = new ArrayList<>();
      byGroupVersion.keySet().stream()
          .filter(gv -> gv.contains("/"))
          .forEach(
              gv -> {
                String group = gv.substring(0, gv.indexOf('/'));
                Map<String, String> version =
                    Map.of("groupVersion", gv, "version", gv.substring(gv.indexOf('/') + 1));
                groups.add(
                    Map.of(
                        "name", group, "versions", List.of(version), "preferredVersion", version));
              });
      return Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", groups);
    }
    String groupVersion =
        path.startsWith("/api/")
            ? path.substring(5)
            : path.startsWith("/apis/") ? path.substring(6) : "";
    List<Kind> kinds = byGroupVersion.get(groupVersion);
    if (kinds == null) {
      return null;
    }
    List<Object> resources = new ArrayList<>();
    for (Kind kind : kinds) {
      resources.add(
          Map.of(
              "name", kind.plural(),
              "singularName", kind.kind().toLowerCase(java.util.Locale.ROOT),
              "namespaced", kind.namespaced(),
              "kind", kind.kind(),
              "verbs", List.of("create", "delete", "get", "list", "patch", "update", "watch")));
    }
    return Map.of(
        "kind",
        "APIResourceList",
        "apiVersion",
        "v1",
        "groupVersion",
        groupVersion,
        "resources",
        resources);
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
