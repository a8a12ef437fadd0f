package dev.sluice.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on condition transitions, so {@code kubectl describe} tells the story: one
 * event whenever {@code Ready} or {@code Stalled} changes status or reason. Warning when the new
 * state needs a human (Stalled, or Ready=False for anything but an ongoing rollout). Failing to
 * record an event never fails a reconcile.
 */
public final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  static final String COMPONENT = "sluice-operator";

  private final KubernetesClient client;

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  /** Records the transitions between two condition lists of {@code object}. */
  public void transitions(
      HasMetadata object,
      @Nullable List<Condition> before,
      @Nullable List<Condition> after,
      String normalReason) {
    for (String type : List.of("Ready", "Stalled")) {
      Condition was = Conditions.find(before, type);
      Condition now = Conditions.find(after, type);
      if (now == null) {
        continue;
      }
      boolean changed =
          was == null
              ? !"False".equals(now.getStatus()) || "Ready".equals(type)
              : !Objects.equals(was.getStatus(), now.getStatus())
                  || !Objects.equals(was.getReason(), now.getReason());
      if (!changed) {
        continue;
      }
      boolean warning =
          "Stalled".equals(type)
              ? "True".equals(now.getStatus())
              : "False".equals(now.getStatus()) && !normalReason.equals(now.getReason());
      record(
          object,
          warning ? "Warning" : "Normal",
          now.getReason(),
          type + "=" + now.getStatus() + ": " + now.getMessage());
    }
  }

  /** One event about {@code object}. */
  public void record(HasMetadata object, String type, String reason, String message) {
    String now = Timestamps.of(Instant.now());
    try {
      client
          .v1()
          .events()
          .inNamespace(object.getMetadata().getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withGenerateName(object.getMetadata().getName() + ".")
                  .withNamespace(object.getMetadata().getNamespace())
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion(object.getApiVersion())
                  .withKind(object.getKind())
                  .withName(object.getMetadata().getName())
                  .withNamespace(object.getMetadata().getNamespace())
                  .withUid(object.getMetadata().getUid())
                  .endInvolvedObject()
                  .withType(type)
                  .withReason(reason)
                  .withMessage(message)
                  .withNewSource()
                  .withComponent(COMPONENT)
                  .endSource()
                  .withReportingComponent(COMPONENT)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not record event {} on {}/{}: {}",
          reason,
          object.getKind(),
          object.getMetadata().getName(),
          e.getMessage());
    }
  }
}
