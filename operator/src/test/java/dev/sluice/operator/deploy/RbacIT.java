package dev.sluice.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.operator.certs.Certificates;
import dev.sluice.operator.status.Conditions;
import dev.sluice.operator.status.EventRecorder;
import dev.sluice.operator.testing.MutableClock;
import dev.sluice.operator.testing.Objects;
import dev.sluice.operator.testing.OperatorHarness;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The RBAC in operator/deploy/rbac.yaml is enough and names every use: the operator runs a whole
 * scenario (certificates, leader election, a rollout with sidecars, an agent with health, a
 * deletion, revision clean-up, events, the CA bundle) on its own client, and every request it made
 * must be allowed by the ClusterRole or the Role in its namespace. The deploy manifests must also
 * load as Kubernetes objects.
 */
class RbacIT {
  static final Path DEPLOY =
      Path.of(System.getProperty("sluice.root", "..")).resolve("operator/deploy");
  static final String AGENT = "sluice-operator-under-test";

  /** One API request as RBAC sees it. */
  record Access(String verb, String group, String resource, String namespace, String name) {
    @Override
    public String toString() {
      return verb
          + " "
          + (group.isEmpty() ? "" : group + "/")
          + resource
          + (name == null ? "" : " " + name)
          + (namespace == null ? "" : " in " + namespace);
    }
  }

  @Test
  void theOperatorNeedsNothingTheManifestsDoNotGrant() throws Exception {
    List<HasMetadata> manifests = new ArrayList<>();
    try (EmbeddedKubernetes cluster = new EmbeddedKubernetes()) {
      KubernetesClient client = cluster.client();
      for (String file : List.of("rbac.yaml", "webhook.yaml")) {
        try (InputStream in = Files.newInputStream(DEPLOY.resolve(file))) {
          manifests.addAll(client.load(in).items());
        }
      }
      cluster.namespace("sluice-system");
      cluster.namespace("shop");
      client
          .resource(
              manifests.stream()
                  .filter(m -> m instanceof MutatingWebhookConfiguration)
                  .findFirst()
                  .orElseThrow())
          .create();

      KubernetesClient operator = cluster.clientAs(AGENT);
      MutableClock clock = new MutableClock(Instant.now());
      try (OperatorHarness harness =
          new OperatorHarness(
              cluster,
              clock,
              operator,
              // As in production (its own certificates, the Lease), but a test JVM must not exit
              // when the operator stops leading.
              s ->
                  s.withManagedTls()
                      .withLeaderElection(true)
                      .withIdentity("replica-1")
                      .withOnLeaseLost(() -> {}))) {
        cluster.installGatewayApi();
        harness.start();
        client.resource(Objects.service("shop", "backend", 8080)).create();
        client.resource(Objects.endpoints("shop", "backend", 8080, List.of("10.1.0.1"))).create();
        client.resource(Objects.service("shop", "waf-agent", 12345)).create();
        client
            .resource(Objects.endpoints("shop", "waf-agent", 12345, List.of("10.2.0.1")))
            .create();
        client
            .resource(
                Objects.agent(
                    """
                    apiVersion: sluice.dev/v1alpha1
                    kind: OffloadAgent
                    metadata: {name: waf, namespace: shop}
                    spec:
                      service: {name: waf-agent, port: 12345}
                      timeouts: {processing: 300ms}
                      messages: [{name: check, args: [{name: src, value: src}]}]
                    """))
            .create();
        client
            .resource(
                Objects.route(
                    "web",
                    "web",
                    8080,
                    "[{backend: {service: {name: backend, port: 8080}},"
                        + " offload: [{agent: waf, messages: [check]}]}]"))
            .create();
        // An HTTPS route with a client CA ConfigMap: Secrets and ConfigMaps routes name are
        // watched.
        client.resource(Objects.tlsSecret("mtls-tls", "mtls.shop")).create();
        client
            .resource(
                Objects.configMap(
                    "client-ca",
                    Map.of(
                        "ca.crt",
                        Certificates.authority("clients", Instant.now(), Duration.ofDays(1))
                            .certificatePem())))
            .create();
        client
            .resource(
                Objects.route(
                    """
                    apiVersion: sluice.dev/v1alpha1
                    kind: ProxyRoute
                    metadata: {name: mtls, namespace: shop}
                    spec:
                      selector: {matchLabels: {app: mtls}}
                      listener:
                        port: 8443
                        protocol: HTTPS
                        tls:
                          secretName: mtls-tls
                          clientCertificates: {caCertificateRefs: [{name: client-ca}]}
                      rules: [{backend: {endpoints: [10.0.0.1:80]}}]
                    """))
            .create();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  ProxyRoute r =
                      client.resources(ProxyRoute.class).inNamespace("shop").withName("mtls").get();
                  return r.getStatus() != null
                      && Conditions.isTrue(r.getStatus().conditions(), "ResolvedRefs");
                });
        for (int i = 1; i <= 2; i++) {
          Pod pod =
              client
                  .resource(Objects.sidecarPod("shop", "web-" + i, Map.of("app", "web")))
                  .create();
          harness.sidecar(pod, c -> false);
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  ProxyRoute r =
                      client.resources(ProxyRoute.class).inNamespace("shop").withName("web").get();
                  return r.getStatus() != null
                      && Conditions.isTrue(r.getStatus().conditions(), "Ready");
                });
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  OffloadAgent a =
                      client
                          .resources(OffloadAgent.class)
                          .inNamespace("shop")
                          .withName("waf")
                          .get();
                  return a.getStatus() != null && Integer.valueOf(1).equals(a.getStatus().routes());
                });
        // Twice: the second occurrence reads the Event and counts it up.
        for (int i = 0; i < 2; i++) {
          new EventRecorder(operator)
              .record(
                  client.pods().inNamespace("shop").withName("web-1").get(),
                  "Normal",
                  "Test",
                  "an event");
        }
        String withRoute =
            client
                .resources(ProxyRoute.class)
                .inNamespace("shop")
                .withName("web")
                .get()
                .getStatus()
                .revision();
        client.resources(ProxyRoute.class).inNamespace("shop").withName("web").delete();
        // The pods move on to the config without the route; then its revision is unused.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    client.pods().inNamespace("shop").list().getItems().stream()
                        .allMatch(
                            p -> {
                              String good =
                                  p.getMetadata()
                                      .getAnnotations()
                                      .get(dev.sluice.api.Labels.LAST_GOOD_REVISION);
                              return good != null && !good.equals(withRoute);
                            }));
        clock.advance(Duration.ofMinutes(5));
        int[] tick = {0};
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  // Any event runs a pass; the pass collects revisions no pod names.
                  client.resource(Objects.service("shop", "tick-" + tick[0]++, 80)).create();
                  return client.secrets().inNamespace("shop").list().getItems().stream()
                          .filter(s -> s.getMetadata().getName().startsWith("sluice-config-"))
                          .count()
                      <= 1;
                });
        clock.advance(Duration.ofDays(300));
        harness.runtime().certificates().orElseThrow().check();
        // An HTTPRoute naming a ProxyRoute (deleted by now): HTTPRoutes are watched, their status
        // written.
        client
            .resource(
                new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
                    .readValue(
                        """
                        apiVersion: gateway.networking.k8s.io/v1
                        kind: HTTPRoute
                        metadata: {name: reviews, namespace: shop}
                        spec:
                          parentRefs: [{group: sluice.dev, kind: ProxyRoute, name: web}]
                          rules: [{backendRefs: [{name: backend, port: 8080}]}]
                        """,
                        HTTPRoute.class))
            .create();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  HTTPRoute r =
                      client
                          .resources(HTTPRoute.class)
                          .inNamespace("shop")
                          .withName("reviews")
                          .get();
                  return r.getStatus() != null
                      && r.getStatus().getParents() != null
                      && !r.getStatus().getParents().isEmpty();
                });
      }

      ClusterRole clusterRole = only(manifests, ClusterRole.class);
      Role role = only(manifests, Role.class);
      Set<String> denied = new TreeSet<>();
      Set<String> seen = new TreeSet<>();
      for (RecordedRequest request : cluster.takeRequests()) {
        String ua = request.getHeader("User-Agent");
        if (ua == null || !ua.contains(AGENT)) {
          continue;
        }
        Access access = access(request);
        if (access == null || access.group().equals("authorization.k8s.io")) {
          // Non-resource URLs (/version) and self-reviews: every authenticated user may.
          continue;
        }
        seen.add(access.verb() + " " + access.group() + "/" + access.resource());
        boolean allowed =
            clusterRole.getRules().stream().anyMatch(r -> allows(r, access))
                || ("sluice-system".equals(access.namespace())
                    && role.getRules().stream().anyMatch(r -> allows(r, access)));
        if (!allowed) {
          denied.add(access.toString());
        }
      }
      System.out.println("[rbac] the operator made these kinds of requests: " + seen);
      assertThat(seen).as("the scenario exercised the operator").hasSizeGreaterThan(15);
      assertThat(denied).as("requests the RBAC does not allow").isEmpty();
    }
  }

  static <T> T only(List<HasMetadata> manifests, Class<T> type) {
    return manifests.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
  }

  static boolean allows(PolicyRule rule, Access a) {
    boolean name =
        rule.getResourceNames() == null
            || rule.getResourceNames().isEmpty()
            || (a.name() != null && rule.getResourceNames().contains(a.name()));
    return rule.getApiGroups().contains(a.group())
        && rule.getResources().contains(a.resource())
        && rule.getVerbs().contains(a.verb())
        && name;
  }

  /** The RBAC view of a request path, or null for a non-resource URL. */
  static Access access(RecordedRequest request) {
    String raw = request.getPath();
    String path = raw.contains("?") ? raw.substring(0, raw.indexOf('?')) : raw;
    String query = raw.contains("?") ? raw.substring(raw.indexOf('?') + 1) : "";
    List<String> parts = new ArrayList<>(List.of(path.substring(1).split("/")));
    String group;
    if (parts.get(0).equals("api") && parts.size() >= 3) {
      group = "";
      parts = parts.subList(2, parts.size());
    } else if (parts.get(0).equals("apis") && parts.size() >= 4) {
      group = parts.get(1);
      parts = parts.subList(3, parts.size());
    } else {
      return null;
    }
    String namespace = null;
    if (parts.size() >= 3 && parts.get(0).equals("namespaces")) {
      namespace = parts.get(1);
      parts = parts.subList(2, parts.size());
    }
    String resource = parts.get(0);
    String name = parts.size() > 1 ? parts.get(1) : null;
    if (parts.size() > 2) {
      resource = resource + "/" + parts.get(2);
    }
    String verb =
        switch (request.getMethod()) {
          case "GET" -> name != null ? "get" : query.contains("watch=true") ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name != null ? "delete" : "deletecollection";
          default -> request.getMethod().toLowerCase(java.util.Locale.ROOT);
        };
    return new Access(verb, group, resource, namespace, name);
  }
}
