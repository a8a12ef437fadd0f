package dev.sluice.bench.scale;

import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.testing.kubernetes.ClusterFixtures;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The objects of the scale benchmark on the embedded API server: {@code namespaces} namespaces,
 * each with a backend Service (one EndpointSlice of {@code backendEndpoints} ready endpoints),
 * {@code pods} sidecar pods labelled {@code app: web} and {@code routes} ProxyRoutes selecting all
 * of them on their own ports (an API, an admin, a metrics port...), every rule to that backend,
 * rolled out in batches of {@code batch}.
 */
final class ScaleCluster {
  static final String APP = "web";
  static final int FIRST_PORT = 8000;
  static final String BACKEND = "backend";
  static final int BACKEND_PORT = 8080;

  private final EmbeddedKubernetes cluster;
  private final KubernetesClient client;
  private final Shape shape;

  /** How many of each, and the rollout batch. */
  record Shape(
      int namespaces,
      int podsPerNamespace,
      int routesPerNamespace,
      String batch,
      int backendEndpoints) {
    int pods() {
      return namespaces * podsPerNamespace;
    }

    int routes() {
      return namespaces * routesPerNamespace;
    }

    String namespace(int i) {
      return "scale-%02d".formatted(i);
    }
  }

  /**
   * One endpoint of the backend's EndpointSlice: its address and conditions.
   *
   * @param ip the address
   * @param ready the {@code ready} condition
   * @param terminating the {@code terminating} condition ({@code serving} stays true)
   */
  record SliceEndpoint(String ip, boolean ready, boolean terminating) {
    static SliceEndpoint ready(String ip) {
      return new SliceEndpoint(ip, true, false);
    }

    /** A pod being deleted: not ready, still serving, terminating. */
    SliceEndpoint leaving() {
      return new SliceEndpoint(ip, false, true);
    }
  }

  /** A pod and the token its sidecar presents. */
  record PodIdentity(String namespace, String name, String token) {}

  ScaleCluster(EmbeddedKubernetes cluster, Shape shape) {
    this.cluster = cluster;
    this.client = cluster.client();
    this.shape = shape;
  }

  /** Creates everything; returns the pods with their tokens. */
  List<PodIdentity> create() {
    List<PodIdentity> pods = new ArrayList<>();
    for (int n = 0; n < shape.namespaces(); n++) {
      String ns = shape.namespace(n);
      cluster.namespace(ns);
      backend(ns);
      for (int r = 0; r < shape.routesPerNamespace(); r++) {
        client.resource(route(ns, r, "60s")).create();
      }
      for (int p = 0; p < shape.podsPerNamespace(); p++) {
        Pod pod =
            client
                .resource(
                    ClusterFixtures.sidecarPod(
                        ns, "web-%03d".formatted(p), Map.of("app", APP), "scale-bench"))
                .create();
        String uid = pod.getMetadata().getUid();
        String name = pod.getMetadata().getName();
        pods.add(new PodIdentity(ns, name, cluster.issueToken(ns, name, uid)));
      }
    }
    return pods;
  }

  /** The change whose rollout is timed: route 0 of every namespace gets a new request timeout. */
  void changeFirstRouteEverywhere(String requestTimeout) {
    for (int n = 0; n < shape.namespaces(); n++) {
      client
          .resources(ProxyRoute.class)
          .inNamespace(shape.namespace(n))
          .withName(routeName(0))
          .patch(
              PatchContext.of(PatchType.JSON),
              "[{\"op\":\"replace\",\"path\":\"/spec/rules/0/timeouts/request\",\"value\":\""
                  + requestTimeout
                  + "\"}]");
    }
  }

  /** The backend's endpoints as created: 10.1.0.1, 10.1.0.2... all ready. */
  List<SliceEndpoint> initialEndpoints() {
    List<SliceEndpoint> endpoints = new ArrayList<>();
    for (int i = 1; i <= shape.backendEndpoints(); i++) {
      endpoints.add(SliceEndpoint.ready("10.1.%d.%d".formatted((i - 1) / 250, (i - 1) % 250 + 1)));
    }
    return endpoints;
  }

  /** The cluster name the operator gives the backend's port in {@code namespace}. */
  static String backendCluster(String namespace) {
    return namespace + "/" + BACKEND + ":" + ClusterFixtures.PORT_NAME;
  }

  /**
   * Replaces the endpoints of the backend's EndpointSlice in {@code namespace}: one write, as the
   * EndpointSlice controller's update is (a JSON Patch replacing the list: the embedded server's
   * merge patch does not shorten lists as the API server's does).
   */
  void setBackendEndpoints(String namespace, List<SliceEndpoint> endpoints) {
    StringBuilder patch =
        new StringBuilder("[{\"op\":\"replace\",\"path\":\"/endpoints\",\"value\":[");
    for (int i = 0; i < endpoints.size(); i++) {
      SliceEndpoint e = endpoints.get(i);
      patch
          .append(i == 0 ? "" : ",")
          .append("{\"addresses\":[\"")
          .append(e.ip())
          .append("\"],\"conditions\":{\"ready\":")
          .append(e.ready())
          .append(",\"serving\":true,\"terminating\":")
          .append(e.terminating())
          .append("}}");
    }
    patch.append("]}]");
    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(namespace)
        .withName(BACKEND + "-abc")
        .patch(PatchContext.of(PatchType.JSON), patch.toString());
  }

  /** Waits until every route says Ready=True for its current generation (watches, no polling). */
  void awaitRoutesReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int n = 0; n < shape.namespaces(); n++) {
      for (int r = 0; r < shape.routesPerNamespace(); r++) {
        long left = Math.max(1, deadline - System.nanoTime());
        client
            .resources(ProxyRoute.class)
            .inNamespace(shape.namespace(n))
            .withName(routeName(r))
            .waitUntilCondition(ScaleCluster::ready, left, TimeUnit.NANOSECONDS);
      }
    }
  }

  private static boolean ready(ProxyRoute route) {
    return route != null
        && route.getStatus() != null
        && route.getStatus().conditions() != null
        && route.getStatus().conditions().stream()
            .anyMatch(
                c ->
                    "Ready".equals(c.getType())
                        && "True".equals(c.getStatus())
                        && route.getMetadata().getGeneration().equals(c.getObservedGeneration()));
  }

  static String routeName(int r) {
    return "r-%02d".formatted(r);
  }

  private ProxyRoute route(String ns, int r, String requestTimeout) {
    String yaml =
        """
        apiVersion: sluice.dev/v1alpha1
        kind: ProxyRoute
        metadata: {name: %s, namespace: %s}
        spec:
          selector: {matchLabels: {app: %s}}
          listener: {port: %d}
          rules:
            - name: all
              backend: {service: {name: %s, port: %d}}
              timeouts: {connect: 5s, request: %s, idle: 5m}
          rollout: {batchSize: "%s", onFailure: Halt, progressDeadline: 10m}
        """
            .formatted(
                routeName(r),
                ns,
                APP,
                FIRST_PORT + r,
                BACKEND,
                BACKEND_PORT,
                requestTimeout,
                shape.batch());
    return Serialization.unmarshal(yaml, ProxyRoute.class);
  }

  private void backend(String ns) {
    client.resource(ClusterFixtures.service(ns, BACKEND, BACKEND_PORT)).create();
    client
        .resource(
            ClusterFixtures.endpointSlice(
                ns,
                BACKEND,
                BACKEND_PORT,
                initialEndpoints().stream().map(SliceEndpoint::ip).toList()))
        .create();
  }
}
