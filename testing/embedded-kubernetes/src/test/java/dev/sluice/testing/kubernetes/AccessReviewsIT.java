package dev.sluice.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A SubjectAccessReview is decided as the RBAC authorizer decides it, from the RBAC objects stored
 * at the time: allowed only through a binding of a matching subject to a rule matching group,
 * resource, subresource, verb and name; denied otherwise.
 */
class AccessReviewsIT {
  static final String SA = "system:serviceaccount:ops:robot";

  EmbeddedKubernetes cluster;
  KubernetesClient client;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    cluster.namespace("ops");
    cluster.namespace("shop");
    client
        .resource(
            new ClusterRoleBuilder()
                .withNewMetadata()
                .withName("reader")
                .endMetadata()
                .addNewRule()
                .withApiGroups("")
                .withResources("pods", "pods/status")
                .withVerbs("get", "list")
                .endRule()
                .addNewRule()
                .withApiGroups("admissionregistration.k8s.io")
                .withResources("mutatingwebhookconfigurations")
                .withResourceNames("only-this")
                .withVerbs("get")
                .endRule()
                .build())
        .create();
    client
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName("leases")
                .withNamespace("ops")
                .endMetadata()
                .addNewRule()
                .withApiGroups("coordination.k8s.io")
                .withResources("leases")
                .withVerbs("*")
                .endRule()
                .build())
        .create();
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void nothingIsAllowedWithoutABinding() {
    assertThat(review(SA, "shop", "get", "", "pods", "", "").getStatus().getAllowed()).isFalse();
  }

  @ParameterizedTest(name = "{0} {1}/{2}{3} {4} in [{5}]: {6}")
  @CsvSource(
      nullValues = "-",
      value = {
        "get,     '',                            pods,                          '',     '',         shop, true",
        "list,    '',                            pods,                          status, '',         shop, true",
        "patch,   '',                            pods,                          '',     '',         shop, false",
        "get,     '',                            secrets,                       '',     '',         shop, false",
        "get,     admissionregistration.k8s.io,  mutatingwebhookconfigurations, '',     only-this,  '',   true",
        "get,     admissionregistration.k8s.io,  mutatingwebhookconfigurations, '',     other,      '',   false",
        "get,     admissionregistration.k8s.io,  mutatingwebhookconfigurations, '',     '',         '',   false",
        "update,  coordination.k8s.io,           leases,                        '',     '',         ops,  true",
        "update,  coordination.k8s.io,           leases,                        '',     '',         shop, false",
      })
  void aRuleMustMatchEveryAttribute(
      String verb,
      String group,
      String resource,
      String subresource,
      String name,
      String namespace,
      boolean allowed) {
    bindClusterRole();
    bindRole();
    SubjectAccessReview answer = review(SA, namespace, verb, group, resource, subresource, name);
    assertThat(answer.getStatus().getAllowed()).isEqualTo(allowed);
    if (allowed) {
      assertThat(answer.getStatus().getReason()).startsWith("RBAC: allowed by ");
    }
  }

  @Test
  void aBindingOfAnotherServiceAccountGrantsNothing() {
    bindClusterRole();
    assertThat(
            review("system:serviceaccount:ops:other", "shop", "get", "", "pods", "", "")
                .getStatus()
                .getAllowed())
        .isFalse();
  }

  private void bindClusterRole() {
    client
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName("robot-reader")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "reader")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("robot")
                .withNamespace("ops")
                .endSubject()
                .build())
        .create();
  }

  private void bindRole() {
    client
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("robot-leases")
                .withNamespace("ops")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "leases")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("robot")
                .withNamespace("ops")
                .endSubject()
                .build())
        .create();
  }

  private SubjectAccessReview review(
      String user,
      String namespace,
      String verb,
      String group,
      String resource,
      String subresource,
      String name) {
    return client
        .authorization()
        .v1()
        .subjectAccessReview()
        .create(
            new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser(user)
                .withNewResourceAttributes()
                .withNamespace(namespace)
                .withVerb(verb)
                .withGroup(group)
                .withResource(resource)
                .withSubresource(subresource)
                .withName(name)
                .endResourceAttributes()
                .endSpec()
                .build());
  }
}
