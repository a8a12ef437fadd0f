package dev.sluice.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.api.validation.CrdValidator;
import dev.sluice.api.validation.SluiceCrds;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * fabric8's mock API server in CRUD mode with Sluice's CRDs registered (from sluice-crds), plus a
 * token authority standing in for the API server's TokenReview: {@link #issueToken} binds a token
 * to a pod the way a projected ServiceAccount token is, and TokenReviews answer from that. Writes
 * of ProxyRoutes and OffloadAgents are pruned, defaulted and validated against the CRDs' schema and
 * CEL rules ({@link CrdAdmission}), ProxyRoutes written or read as v1alpha2 are stored as v1alpha1
 * through the conversion the operator's webhook runs ({@link StorageVersions}), and every write is
 * checked as the real API server checks it where the mock would accept anything ({@link
 * ApiServerWrites}: strict JSON Patch, pod status validation, second-precision times).
 * SubjectAccessReviews are decided from the stored RBAC objects as the RBAC authorizer decides them
 * ({@link AccessReviews}). No server-side apply or garbage collection (see TEST.md).
 */
public class EmbeddedKubernetes implements AutoCloseable {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** The mock web server logs every request through java.util.logging: keep that quiet. */
  private static final Logger QUIET = Logger.getLogger("io.fabric8.mockwebserver");

  static {
    QUIET.setLevel(Level.WARNING);
  }

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final CrdAdmission admission;
  private final KubernetesMixedDispatcher store;
  private final Map<String, String[]> tokens = new ConcurrentHashMap<>();

  /** An API server whose {@code /version} says what fabric8's mock says (0.0). */
  public EmbeddedKubernetes() throws IOException {
    this(null);
  }

  /** An API server whose {@code /version} answers {@code version} (e.g. 1.29, 1.28). */
  public EmbeddedKubernetes(@Nullable VersionInfo version) throws IOException {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    store = new KubernetesMixedDispatcher(responses);
    admission =
        new CrdAdmission(
            new StorageVersions(new ApiServerWrites(new AccessReviews(store))),
            SluiceCrds.all().values());
    server =
        new KubernetesMockServer(new Context(), new MockWebServer(), responses, admission, false);
    if (version != null) {
      server.setVersionInfo(version);
    }
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    server
        .expect()
        .post()
        .withPath("/apis/authentication.k8s.io/v1/tokenreviews")
        .andReply(200, request -> review(request.getUtf8Body()))
        .always();
    // JOSDK checks its Lease access with a SelfSubjectRulesReview before electing: answer as an
    // API server would for the Role in operator/deploy/rbac.yaml.
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReply(
            201,
            request ->
                Map.of(
                    "apiVersion",
                    "authorization.k8s.io/v1",
                    "kind",
                    "SelfSubjectRulesReview",
                    "status",
                    Map.of(
                        "incomplete",
                        false,
                        "nonResourceRules",
                        List.of(),
                        "resourceRules",
                        List.of(
                            Map.of(
                                "apiGroups", List.of("coordination.k8s.io"),
                                "resources", List.of("leases"),
                                "verbs", List.of("get", "create", "update", "patch"))))))
        .always();
    registerCrds();
  }

  /**
   * Installs Gateway API's standard-channel CRDs (GatewayClass, Gateway, HTTPRoute, ReferenceGrant)
   * from the project's {@code ../shared/gateway-api-v1.4.1/} ({@link GatewayApiCrds}) as a user
   * does: the CRD objects, every served version's resources (writes admitted against their schema
   * and CEL rules as ours are) and discovery of {@code gateway.networking.k8s.io/v1}, so a client
   * that asks whether HTTPRoutes are served is told yes (before this, discovery answers 404 as an
   * API server without them does).
   */
  public void installGatewayApi() throws IOException {
    List<io.fabric8.kubernetes.api.model.APIResource> v1 = new ArrayList<>();
    for (Path file : GatewayApiCrds.files()) {
      CustomResourceDefinition crd;
      try (InputStream in = Files.newInputStream(file)) {
        crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
      }
      install(crd);
      admission.add(CrdValidator.of(JSON.valueToTree(crd)));
      var names = crd.getSpec().getNames();
      v1.add(
          new io.fabric8.kubernetes.api.model.APIResourceBuilder()
              .withName(names.getPlural())
              .withSingularName(names.getSingular())
              .withKind(names.getKind())
              .withNamespaced("Namespaced".equals(crd.getSpec().getScope()))
              .withVerbs("create", "delete", "get", "list", "patch", "update", "watch")
              .build());
      if (crd.getSpec().getVersions().stream()
          .anyMatch(v -> v.getSubresources() != null && v.getSubresources().getStatus() != null)) {
        v1.add(
            new io.fabric8.kubernetes.api.model.APIResourceBuilder()
                .withName(names.getPlural() + "/status")
                .withKind(names.getKind())
                .withNamespaced("Namespaced".equals(crd.getSpec().getScope()))
                .withVerbs("get", "patch", "update")
                .build());
      }
    }
    server
        .expect()
        .get()
        .withPath("/apis/gateway.networking.k8s.io/v1")
        .andReturn(
            200,
            new io.fabric8.kubernetes.api.model.APIResourceListBuilder()
                .withGroupVersion("gateway.networking.k8s.io/v1")
                .withResources(v1)
                .build())
        .always();
  }

  /** Registers the CRDs as installed: sluice-crds' copy of crds/*.yml. */
  private void registerCrds() throws IOException {
    for (String file :
        List.of("proxyroutes.sluice.dev-v1.yml", "offloadagents.sluice.dev-v1.yml")) {
      try (InputStream in =
          EmbeddedKubernetes.class
              .getClassLoader()
              .getResourceAsStream("META-INF/sluice/crds/" + file)) {
        if (in == null) {
          throw new IllegalStateException(
              "META-INF/sluice/crds/" + file + " is not on the classpath (expected: sluice-crds)");
        }
        install(client.apiextensions().v1().customResourceDefinitions().load(in).item());
      }
    }
  }

  /** Creates {@code crd} and serves each of its versions. */
  private void install(CustomResourceDefinition crd) {
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    // The mock serves one version of a CRD (its highest); the API server serves every one.
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      if (!Boolean.TRUE.equals(version.getServed())) {
        continue;
      }
      store.expectCustomResource(
          new CustomResourceDefinitionContext.Builder()
              .withGroup(crd.getSpec().getGroup())
              .withVersion(version.getName())
              .withPlural(crd.getSpec().getNames().getPlural())
              .withKind(crd.getSpec().getNames().getKind())
              .withScope(crd.getSpec().getScope())
              .withStatusSubresource(
                  version.getSubresources() != null
                      && version.getSubresources().getStatus() != null)
              .build());
    }
  }

  public KubernetesClient client() {
    return client;
  }

  /** A second client whose requests carry {@code userAgent} (to tell them from the test's). */
  public KubernetesClient clientAs(String userAgent) {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(userAgent).build())
        .build();
  }

  /**
   * Runs {@code writes} without the CRDs' schema and rules, as an API server with an older, laxer
   * CRD took them: for objects stored before a CRD upgrade.
   */
  public void beforeCrdUpgrade(Runnable writes) {
    admission.unchecked(writes);
  }

  /** Writes a kubeconfig for this server (token auth, namespace default) to {@code file}. */
  public Path writeKubeconfig(Path file) throws IOException {
    return Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: sluice-sandbox, cluster: {server: "%s"}}]
        users: [{name: sandbox, user: {token: sandbox}}]
        contexts: [{name: sluice-sandbox, context: {cluster: sluice-sandbox, user: sandbox, namespace: default}}]
        current-context: sluice-sandbox
        """
            .formatted(client.getConfiguration().getMasterUrl()));
  }

  /** Every request the server received since the last call, oldest first. */
  public List<RecordedRequest> takeRequests() throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    for (var r = server.takeRequest(50, TimeUnit.MILLISECONDS);
        r != null;
        r = server.takeRequest(50, TimeUnit.MILLISECONDS)) {
      out.add(r);
    }
    return out;
  }

  /** Creates a namespace (the operator reconciles per namespace; a real cluster has them). */
  public void namespace(String name) {
    namespace(name, Map.of());
  }

  /** Creates a namespace with labels (and the standard kubernetes.io/metadata.name). */
  public void namespace(String name, Map<String, String> labels) {
    client
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("kubernetes.io/metadata.name", name)
                .addToLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  /** A token the authority will say belongs to {@code namespace/pod} (uid), audience sluice. */
  public String issueToken(String namespace, String pod, String uid) {
    String token = "token-" + namespace + "-" + pod + "-" + tokens.size();
    tokens.put(token, new String[] {namespace, pod, uid});
    return token;
  }

  private String review(String body) {
    try {
      JsonNode request = JSON.readTree(body);
      String token = request.path("spec").path("token").asText();
      String[] pod = tokens.get(token);
      Map<String, Object> status;
      if (pod == null) {
        status = Map.of("authenticated", false, "error", "token not recognized");
      } else {
        status =
            Map.of(
                "authenticated",
                true,
                "audiences",
                List.of("sluice"),
                "user",
                Map.of(
                    "username",
                    "system:serviceaccount:" + pod[0] + ":default",
                    "extra",
                    Map.of(
                        "authentication.kubernetes.io/pod-name", List.of(pod[1]),
                        "authentication.kubernetes.io/pod-uid", List.of(pod[2]))));
      }
      return JSON.writeValueAsString(
          Map.of(
              "apiVersion",
              "authentication.k8s.io/v1",
              "kind",
              "TokenReview",
              "spec",
              request.path("spec"),
              "status",
              status));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
