package dev.sluice.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded API takes writes of ProxyRoutes as kube-apiserver 1.32 does: what the CRD's schema
 * or CEL rules refuse gets 422 Invalid with the server's message and causes, whether created,
 * replaced or patched; defaults are stored; unknown fields are dropped (or refused under Strict);
 * status writes are checked against the status schema; an object stored before a stricter CRD still
 * takes status and metadata writes.
 */
class CrdAdmissionIT {
  private static final ResourceDefinitionContext ROUTES =
      new ResourceDefinitionContext.Builder()
          .withGroup("sluice.dev")
          .withVersion("v1alpha1")
          .withPlural("proxyroutes")
          .withKind("ProxyRoute")
          .withNamespaced(true)
          .build();
  private static final String VALID =
      """
      apiVersion: sluice.dev/v1alpha1
      kind: ProxyRoute
      metadata: {name: web, namespace: shop}
      spec:
        selector: {matchLabels: {app: web}}
        listener: {port: 8080}
        rules: [{backend: {service: {name: web, port: 80}}}]
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

  private static ProxyRoute route(String yaml) {
    return Serialization.unmarshal(yaml, ProxyRoute.class);
  }

  private GenericKubernetesResource stored(String name) {
    return client.genericKubernetesResources(ROUTES).inNamespace("shop").withName(name).get();
  }

  @Test
  void aRouteTheCelRulesRefuseIsNotStoredAndTheAnswerNamesEachField() {
    ProxyRoute broken =
        route(
            VALID
                    .replace("name: web,", "name: broken,")
                    .replace("{port: 8080}", "{port: 8443, protocol: HTTPS}")
                + "  rollout: {batchSize: \"0%\"}\n");
    assertThatThrownBy(() -> client.resource(broken).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
              assertThat(e.getStatus().getMessage())
                  .isEqualTo(
                      "ProxyRoute.sluice.dev \"broken\" is invalid: [spec.listener: Invalid value:"
                          + " \"object\": listener.tls is required when protocol is HTTPS and not"
                          + " allowed when it is HTTP, spec.rollout: Invalid value: \"object\":"
                          + " rollout.batchSize must be a number >= 1 or a percentage from 1% to"
                          + " 100%]");
              assertThat(e.getStatus().getDetails().getCauses())
                  .extracting(c -> c.getField() + " " + c.getReason())
                  .containsExactly(
                      "spec.listener FieldValueInvalid", "spec.rollout FieldValueInvalid");
            });
    assertThat(stored("broken")).isNull();
  }

  @Test
  void defaultsAreStoredAndASchemaViolationIsRefused() {
    client.resource(route(VALID)).create();
    assertThat(stored("web").get("spec", "listener", "protocol").toString()).isEqualTo("HTTP");
    ProxyRoute tooHigh = route(VALID.replace("{port: 8080}", "{port: 70000}"));
    assertThatThrownBy(() -> client.resource(tooHigh).update())
        .hasMessageContaining(
            "spec.listener.port: Invalid value: 70000: spec.listener.port in body should be less"
                + " than or equal to 65535");
  }

  @Test
  void patchesAreCheckedOnTheirResult() {
    client.resource(route(VALID)).create();
    var web = client.resources(ProxyRoute.class).inNamespace("shop").withName("web");
    assertThatThrownBy(
            () ->
                web.patch(
                    PatchContext.of(PatchType.JSON),
                    "[{\"op\":\"add\",\"path\":\"/spec/rules/-\",\"value\":{\"backend\":{}}}]"))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
        .hasMessageContaining(
            "spec.rules[1].backend: Invalid value: \"object\": backend needs exactly one of"
                + " service and endpoints");
    assertThatThrownBy(
            () ->
                web.patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"rollout\":{\"progressDeadline\":\"5s\"}}}"))
        .hasMessageContaining("rollout.progressDeadline must be at least 10s");
    assertThatThrownBy(
            () ->
                web.patch(
                    PatchContext.of(PatchType.STRATEGIC_MERGE),
                    "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}"))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(415));
    assertThat(web.get().getSpec().rules()).hasSize(1);
    assertThat(web.get().getSpec().rollout()).isNull();
  }

  @Test
  void statusWritesAreCheckedAgainstTheStatusSchema() {
    client.resource(route(VALID)).create();
    var web = client.resources(ProxyRoute.class).inNamespace("shop").withName("web");
    assertThatThrownBy(
            () ->
                web.subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"revision\":7}}"))
        .hasMessageContaining(
            "status.revision: Invalid value: \"integer\": status.revision in body must be of type"
                + " string");
    web.subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"revision\":\"r7\"}}");
    assertThat(web.get().getStatus().revision()).isEqualTo("r7");
  }

  @Test
  void unknownFieldsAreDroppedOrUnderStrictRefused() {
    GenericKubernetesResource withTypo =
        Serialization.unmarshal(
            VALID.replace("listener: {port: 8080}", "listener: {port: 8080, tsl: {}}"),
            GenericKubernetesResource.class);
    assertThatThrownBy(
            () ->
                client
                    .resource(withTypo)
                    .fieldValidation(FieldValidateable.Validation.STRICT)
                    .create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(400))
        .hasMessageContaining(
            "ProxyRoute in version \"v1alpha1\" cannot be handled as a ProxyRoute: strict decoding"
                + " error: unknown field \"spec.listener.tsl\"");
    client.resource(withTypo).create();
    assertThat(stored("web").get("spec", "listener").toString()).doesNotContain("tsl");
  }

  @Test
  void aRouteStoredBeforeAStricterCrdStillTakesStatusAndMetadataWrites() {
    ProxyRoute old = route(VALID.replace("{port: 8080}", "{port: 8443, protocol: HTTPS}"));
    kube.beforeCrdUpgrade(() -> client.resource(old).create());
    var web = client.resources(ProxyRoute.class).inNamespace("shop").withName("web");
    web.subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"revision\":\"r1\"}}");
    web.edit(
        r -> {
          r.getMetadata().setLabels(java.util.Map.of("team", "shop"));
          return r;
        });
    assertThat(web.get().getMetadata().getLabels()).containsEntry("team", "shop");
    assertThatThrownBy(
            () ->
                web.edit(
                    r -> route(VALID.replace("{port: 8080}", "{port: 9443, protocol: HTTPS}"))))
        .hasMessageContaining("listener.tls is required when protocol is HTTPS");
  }
}
