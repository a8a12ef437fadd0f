package dev.sluice.cli.check;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's ServiceAccount holds every permission in {@link OperatorAccess}: one
 * SubjectAccessReview each (a SelfSubjectAccessReview can only ask about oneself), with the groups
 * the API server gives a ServiceAccount.
 */
final class OperatorAccessCheck implements Check {
  @Override
  public List<CheckResult> run(KubernetesClient client, Installation install, Instant now) {
    String user = "system:serviceaccount:" + install.namespace() + ":" + install.serviceAccount();
    String check = "operator RBAC";
    List<String> denied = new ArrayList<>();
    for (OperatorAccess.Access access : OperatorAccess.REQUIRED) {
      SubjectAccessReview review;
      try {
        review =
            client.authorization().v1().subjectAccessReview().create(review(user, install, access));
      } catch (KubernetesClientException e) {
        if (e.getCode() == 403) {
          return List.of(
              CheckResult.warn(
                  check,
                  "cannot create SubjectAccessReviews to ask about " + user + " (403)",
                  "kubectl auth can-i create subjectaccessreviews.authorization.k8s.io"));
        }
        throw e;
      }
      if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAllowed())) {
        denied.add(access.describe(install));
      }
    }
    String who = "ServiceAccount " + install.namespace() + "/" + install.serviceAccount();
    if (!denied.isEmpty()) {
      return List.of(
          CheckResult.fail(
              check,
              who
                  + " is denied "
                  + denied.size()
                  + " of "
                  + OperatorAccess.REQUIRED.size()
                  + " permissions: "
                  + String.join(", ", denied),
              install.reinstall()));
    }
    return List.of(
        CheckResult.pass(
            check, who + " holds all " + OperatorAccess.REQUIRED.size() + " permissions it needs"));
  }

  private static SubjectAccessReview review(
      String user, Installation install, OperatorAccess.Access access) {
    String[] resource = access.resource().split("/", 2);
    String name = access.name(install);
    return new SubjectAccessReviewBuilder()
        .withNewSpec()
        .withUser(user)
        .withGroups(
            "system:serviceaccounts",
            "system:serviceaccounts:" + install.namespace(),
            "system:authenticated")
        .withNewResourceAttributes()
        .withNamespace(
            access.scope() == OperatorAccess.Scope.OPERATOR_NAMESPACE ? install.namespace() : "")
        .withVerb(access.verb())
        .withGroup(access.group())
        .withResource(resource[0])
        .withSubresource(resource.length > 1 ? resource[1] : "")
        .withName(name == null ? "" : name)
        .endResourceAttributes()
        .endSpec()
        .build();
  }
}
