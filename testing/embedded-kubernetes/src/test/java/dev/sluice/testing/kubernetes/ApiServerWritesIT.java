package dev.sluice.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.v1alpha1.ProxyRoute;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The embedded API refuses and stores writes as kube-apiserver 1.32 does where the CRUD mock alone
 * would accept anything: JSON Patches apply strictly or fail with 422, pod condition types are
 * qualified names, metav1.Time values of core objects are stored to the second.
 */
class ApiServerWritesIT {
  static final String NS = "shop";
  static final String OURS =
      "{\"type\":\"sluice.dev/ConfigApplied\",\"status\":\"True\",\"reason\":\"Applied\","
          + "\"message\":\"m\",\"lastTransitionTime\":\"2026-12-06T10:00:00Z\"}";

  EmbeddedKubernetes cluster;
  KubernetesClient client;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    cluster.namespace(NS);
    client
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("bare")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("registry.example/app:1")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Pending")
                .endStatus()
                .build())
        .create();
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  Pod patchStatus(String pod, String patch) {
    return client
        .pods()
        .inNamespace(NS)
        .withName(pod)
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON), patch);
  }

  int refusal(String pod, String patch) {
    try {
      patchStatus(pod, patch);
    } catch (KubernetesClientException e) {
      return e.getCode();
    }
    return 200;
  }

  List<PodCondition> conditions(String pod) {
    return client.pods().inNamespace(NS).withName(pod).get().getStatus().getConditions();
  }

  @Test
  void appendingToAListThatIsNotThereFails() {
    assertThatThrownBy(
            () ->
                patchStatus(
                    "bare",
                    "[{\"op\":\"add\",\"path\":\"/status/conditions/-\",\"value\":" + OURS + "}]"))
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining("conditions");
    assertThat(conditions("bare")).isEmpty();
    // Adding the list itself works, and so does appending to an empty one.
    patchStatus("bare", "[{\"op\":\"add\",\"path\":\"/status/conditions\",\"value\":[]}]");
    patchStatus(
        "bare", "[{\"op\":\"add\",\"path\":\"/status/conditions/-\",\"value\":" + OURS + "}]");
    assertThat(conditions("bare"))
        .extracting(PodCondition::getType)
        .containsExactly("sluice.dev/ConfigApplied");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "[{\"op\":\"replace\",\"path\":\"/status/conditions\",\"value\":[]}]",
        "[{\"op\":\"replace\",\"path\":\"/status/conditions/0\",\"value\":{}}]",
        "[{\"op\":\"remove\",\"path\":\"/status/conditions\"}]",
        "[{\"op\":\"remove\",\"path\":\"/status/hostIP\"}]",
        "[{\"op\":\"test\",\"path\":\"/status/conditions/0/type\",\"value\":\"Ready\"}]",
        "[{\"op\":\"test\",\"path\":\"/status/phase\",\"value\":\"Running\"}]",
        "[{\"op\":\"add\",\"path\":\"/status/conditions/1\",\"value\":{}}]",
        "[{\"op\":\"add\",\"path\":\"/status/nothing/here\",\"value\":1}]",
      })
  void operationsOnMissingTargetsFailWith422(String patch) {
    assertThat(refusal("bare", patch)).isEqualTo(422);
    assertThat(client.pods().inNamespace(NS).withName("bare").get().getStatus().getPhase())
        .isEqualTo("Pending");
  }

  @Test
  void aPatchOfAPodThatIsNotThereIs404() {
    assertThat(refusal("ghost", "[{\"op\":\"add\",\"path\":\"/status/phase\",\"value\":\"x\"}]"))
        .isEqualTo(404);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"", "sluice.dev/", "Not Valid", "-starts-with-dash", "UPPER.case/Type"})
  void podConditionTypesMustBeQualifiedNames(String type) {
    String condition = OURS.replace("sluice.dev/ConfigApplied", type);
    assertThat(
            refusal(
                "bare",
                "[{\"op\":\"add\",\"path\":\"/status/conditions\",\"value\":[" + condition + "]}]"))
        .isEqualTo(422);
  }

  @Test
  void podTimesAreStoredToTheSecondAndMustBeRfc3339() {
    String fractional = OURS.replace("10:00:00Z", "10:00:25.775142277Z");
    patchStatus(
        "bare",
        "[{\"op\":\"add\",\"path\":\"/status/conditions\",\"value\":[" + fractional + "]}]");
    assertThat(conditions("bare").get(0).getLastTransitionTime()).isEqualTo("2026-12-06T10:00:25Z");
    patchStatus(
        "bare",
        "[{\"op\":\"replace\",\"path\":\"/status/conditions/0/lastTransitionTime\",\"value\":"
            + "\"2026-12-06T11:00:00.5+01:00\"}]");
    assertThat(conditions("bare").get(0).getLastTransitionTime()).isEqualTo("2026-12-06T10:00:00Z");
    assertThat(
            refusal(
                "bare",
                "[{\"op\":\"replace\",\"path\":\"/status/conditions/0/lastTransitionTime\","
                    + "\"value\":\"yesterday\"}]"))
        .isEqualTo(422);
  }

  @Test
  void customResourcesKeepTheirTimesAsSent() {
    ProxyRoute route =
        client
            .resource(
                io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
                    """
                    {"apiVersion":"sluice.dev/v1alpha1","kind":"ProxyRoute",
                     "metadata":{"name":"web","namespace":"shop"},
                     "spec":{"selector":{"matchLabels":{"app":"web"}},"listener":{"port":8080},
                             "rules":[{"backend":{"endpoints":["10.0.0.1:80"]}}]}}
                    """,
                    ProxyRoute.class))
            .create();
    client
        .resource(route)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON),
            "[{\"op\":\"add\",\"path\":\"/status\",\"value\":{\"conditions\":["
                + OURS.replace("sluice.dev/ConfigApplied", "Ready")
                    .replace("10:00:00Z", "10:00:00.5Z")
                + "]}}]");
    Map<String, Object> stored =
        client
            .genericKubernetesResources("sluice.dev/v1alpha1", "ProxyRoute")
            .inNamespace(NS)
            .withName("web")
            .get()
            .getAdditionalProperties();
    assertThat(stored.toString()).contains("lastTransitionTime=2026-12-06T10:00:00.5Z");
  }
}
