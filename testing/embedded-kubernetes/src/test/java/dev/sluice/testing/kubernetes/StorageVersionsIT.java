package dev.sluice.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ProxyRoutes written and read as v1alpha2 are stored as v1alpha1 (what the operator reads) and
 * come back as written, as on an API server whose CRD converts through the operator's webhook.
 */
class StorageVersionsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ResourceDefinitionContext V1ALPHA1 = context("v1alpha1");
  private static final ResourceDefinitionContext V1ALPHA2 = context("v1alpha2");
  private static final String CANARY =
      """
      apiVersion: sluice.dev/v1alpha2
      kind: ProxyRoute
      metadata: {name: web, namespace: shop}
      spec:
        selector: {matchLabels: {app: web}}
        listener: {port: 8080}
        hostnames: [web.example.com]
        rules:
          - name: api
            matches:
              - {path: {type: PathPrefix, value: /api}, method: GET}
              - {path: {type: PathPrefix, value: /api}, method: HEAD}
            filters:
              - {type: VariableAction, variableAction: {setRequestHeader: {name: x-score, fromVariable: txn.iprep.score}}}
              - {type: Offload, offload: {agent: iprep}}
            backendRefs: [{name: web, port: 80}]
            timeouts: {responseHeader: 5s}
      """;

  private EmbeddedKubernetes kube;
  private KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    kube = new EmbeddedKubernetes();
    client = kube.client();
    kube.namespace("shop");
  }

  @AfterEach
  void stop() {
    kube.close();
  }

  @Test
  void aV1alpha2RouteIsStoredAsV1alpha1AndReadBackAsWritten() throws Exception {
    GenericKubernetesResource created = routes(V1ALPHA2).resource(resource(CANARY)).create();
    assertThat(created.getApiVersion()).isEqualTo("sluice.dev/v1alpha2");

    JsonNode stored = tree(routes(V1ALPHA1).withName("web").get());
    assertThat(stored.path("apiVersion").asText()).isEqualTo("sluice.dev/v1alpha1");
    assertThat(stored.at("/spec/rules/0/backend/service/name").asText()).isEqualTo("web");
    assertThat(stored.at("/spec/rules/0/timeouts/request").asText()).isEqualTo("5s");
    assertThat(stored.at("/spec/rules/0/offload/0/agent").asText()).isEqualTo("iprep");
    assertThat(stored.at("/spec/rules/0/actions/0/setRequestHeader/name").asText())
        .isEqualTo("x-score");
    assertThat(stored.at("/metadata/annotations").has("sluice.dev/conversion-v1alpha2")).isTrue();

    JsonNode read = tree(routes(V1ALPHA2).withName("web").get());
    assertThat(read.path("spec")).isEqualTo(tree(created).path("spec"));
    assertThat(read.at("/spec/rules/0/filters/0/type").asText()).isEqualTo("VariableAction");
    assertThat(read.at("/metadata/annotations").has("sluice.dev/conversion-v1alpha2")).isFalse();
    assertThat(routes(V1ALPHA2).list().getItems())
        .singleElement()
        .satisfies(r -> assertThat(r.getApiVersion()).isEqualTo("sluice.dev/v1alpha2"));
  }

  @Test
  void aPatchInV1alpha2ChangesTheStoredObject() {
    routes(V1ALPHA2).resource(resource(CANARY)).create();
    routes(V1ALPHA2)
        .withName("web")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\": {\"hostnames\": [\"api.example.com\"]}}");
    JsonNode stored = tree(routes(V1ALPHA1).withName("web").get());
    assertThat(stored.at("/spec/hostnames/0").asText()).isEqualTo("api.example.com");
    assertThat(stored.at("/spec/rules/0/matches")).hasSize(2);
  }

  @Test
  void aJsonPatchInV1alpha2AppliesToTheV1alpha2View() {
    routes(V1ALPHA2).resource(resource(CANARY)).create();
    jsonPatch(
        V1ALPHA2,
        """
        [{"op": "test", "path": "/spec/rules/0/backendRefs/0/name", "value": "web"},
         {"op": "replace", "path": "/spec/hostnames/0", "value": "api.example.com"}]""");
    JsonNode stored = tree(routes(V1ALPHA1).withName("web").get());
    assertThat(stored.at("/spec/hostnames/0").asText()).isEqualTo("api.example.com");
  }

  /**
   * A JSON Patch in v1alpha2 is as strict as in the stored version, as on the API server: an
   * operation that does not apply refuses the whole patch with 422 in either, and nothing changes.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "[{\"op\": \"test\", \"path\": \"/spec/listener/port\", \"value\": 9090}]",
        "[{\"op\": \"remove\", \"path\": \"/metadata/labels/missing\"}]",
        "[{\"op\": \"replace\", \"path\": \"/spec/nothing\", \"value\": 1}]",
        "[{\"op\": \"add\", \"path\": \"/metadata/labels/team/x\", \"value\": \"a\"}]",
        "[{\"op\": \"replace\", \"path\": \"/spec/hostnames/0\", \"value\": \"x.example\"},"
            + " {\"op\": \"remove\", \"path\": \"/spec/hostnames/3\"}]",
      })
  void aJsonPatchThatDoesNotApplyIsRefusedIn422AsInTheStoredVersion(String patch) {
    routes(V1ALPHA2).resource(resource(CANARY)).create();
    JsonNode before = tree(routes(V1ALPHA1).withName("web").get());
    for (ResourceDefinitionContext version : List.of(V1ALPHA1, V1ALPHA2)) {
      assertThatThrownBy(() -> jsonPatch(version, patch))
          .as(version.getVersion())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
          .hasMessageContaining("the JSON Patch does not apply to the stored object");
    }
    assertThat(tree(routes(V1ALPHA1).withName("web").get())).isEqualTo(before);
  }

  @Test
  void aJsonPatchThatIsNoArrayIsABadRequest() {
    routes(V1ALPHA2).resource(resource(CANARY)).create();
    assertThatThrownBy(
            () -> jsonPatch(V1ALPHA2, "{\"op\": \"remove\", \"path\": \"/spec/hostnames\"}"))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(400))
        .hasMessageContaining("a JSON Patch is an array of operations");
  }

  /** The status subresource's rule: a write of the main resource leaves status as it was. */
  @Test
  void aJsonPatchOfStatusThroughTheMainResourceLeavesStatusAsItWasInEitherVersion() {
    routes(V1ALPHA2).resource(resource(CANARY)).create();
    for (ResourceDefinitionContext version : List.of(V1ALPHA1, V1ALPHA2)) {
      jsonPatch(
          version,
          "[{\"op\": \"add\", \"path\": \"/status\", \"value\": {\"observedGeneration\": 7}}]");
      assertThat(
              tree(routes(V1ALPHA1).withName("web").get())
                  .at("/status/observedGeneration")
                  .isMissingNode())
          .as(version.getVersion())
          .isTrue();
    }
  }

  @Test
  void aV1alpha1RouteReadsAsV1alpha2AndDeletesFromEither() {
    routes(V1ALPHA1)
        .resource(
            resource(
                """
                apiVersion: sluice.dev/v1alpha1
                kind: ProxyRoute
                metadata: {name: old, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  listener: {port: 8080}
                  rules: [{matches: [{methods: [GET, POST]}], backend: {endpoints: ["10.0.0.1:80"]}}]
                """))
        .create();
    JsonNode v2 = tree(routes(V1ALPHA2).withName("old").get());
    assertThat(v2.at("/spec/rules/0/matches/1/method").asText()).isEqualTo("POST");
    assertThat(v2.at("/spec/rules/0/backendRefs/0/endpoints/0").asText()).isEqualTo("10.0.0.1:80");
    routes(V1ALPHA2).withName("old").delete();
    assertThat(routes(V1ALPHA1).withName("old").get()).isNull();
  }

  @Test
  void aV1alpha2RouteItsRulesRefuseIsRefusedInV1alpha2Words() {
    GenericKubernetesResource two =
        resource(
            CANARY.replace(
                "- {type: Offload, offload: {agent: iprep}}",
                "- {type: RequestRedirect, requestRedirect: {scheme: https}}"));
    assertThatThrownBy(() -> routes(V1ALPHA2).resource(two).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
        .hasMessageContaining(
            "spec.rules[0]: Invalid value: \"object\": RequestRedirect filter must not be used"
                + " together with backendRefs");
    assertThat(routes(V1ALPHA1).withName("web").get()).isNull();
  }

  @Test
  void aWatchInV1alpha2IsRefusedNamingTheStoredVersion() {
    assertThatThrownBy(
            () ->
                routes(V1ALPHA2)
                    .watch(
                        new Watcher<GenericKubernetesResource>() {
                          @Override
                          public void eventReceived(Action action, GenericKubernetesResource r) {}

                          @Override
                          public void onClose(WatcherException cause) {}
                        }))
        .hasMessageContaining("Received 501")
        .hasMessageContaining("/apis/sluice.dev/v1alpha2/namespaces/shop/proxyroutes?");
  }

  private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          GenericKubernetesResource,
          io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
          io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
      routes(ResourceDefinitionContext version) {
    return client.genericKubernetesResources(version).inNamespace("shop");
  }

  private void jsonPatch(ResourceDefinitionContext version, String patch) {
    routes(version).withName("web").patch(PatchContext.of(PatchType.JSON), patch);
  }

  private static GenericKubernetesResource resource(String yaml) {
    return Serialization.unmarshal(yaml, GenericKubernetesResource.class);
  }

  private static JsonNode tree(GenericKubernetesResource resource) {
    return JSON.valueToTree(resource);
  }

  private static ResourceDefinitionContext context(String version) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("sluice.dev")
        .withVersion(version)
        .withPlural("proxyroutes")
        .withKind("ProxyRoute")
        .withNamespaced(true)
        .build();
  }
}
