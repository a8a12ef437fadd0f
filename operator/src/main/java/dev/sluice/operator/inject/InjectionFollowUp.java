package dev.sluice.operator.inject;

import dev.sluice.operator.certs.CaPublisher;
import dev.sluice.operator.status.EventRecorder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows an admission answer (nothing for a dry run): an injected pod's namespace gets the CA
 * bundle its sidecar mounts (before the pod starts); a pod left alone for a reason worth knowing
 * (opted out, hostNetwork, ...) gets a Normal event on its owner (the pod itself has no name or UID
 * yet). An injection that left something of the pod's as it was (its own {@code prometheus.io/*}
 * annotations) says so in the log.
 */
public final class InjectionFollowUp implements Consumer<AdmissionWebhook.Answer> {
  static final String REASON = "SidecarNotInjected";
  private static final Logger LOG = LoggerFactory.getLogger(InjectionFollowUp.class);

  private final CaPublisher ca;
  private final EventRecorder events;

  public InjectionFollowUp(CaPublisher ca, EventRecorder events) {
    this.ca = ca;
    this.events = events;
  }

  @Override
  public void accept(AdmissionWebhook.Answer answer) {
    if (answer.namespace() == null || answer.dryRun()) {
      return; // sideEffects: NoneOnDryRun
    }
    if (answer.injected()) {
      ca.ensure(answer.namespace());
      if (answer.note() != null) {
        LOG.info("injected a sidecar into pod {}: {}", podName(answer), answer.note());
      }
      return;
    }
    String why = answer.skipReason();
    if (why == null
        || why.startsWith("neither namespace label")
        || why.equals("already injected")) {
      return; // the common case: not every pod wants a sidecar
    }
    Pod pod = answer.pod();
    List<OwnerReference> owners =
        pod == null || pod.getMetadata() == null ? null : pod.getMetadata().getOwnerReferences();
    if (owners == null || owners.isEmpty()) {
      return;
    }
    OwnerReference owner = owners.get(0);
    events.record(
        new GenericKubernetesResourceBuilder()
            .withApiVersion(owner.getApiVersion())
            .withKind(owner.getKind())
            .withNewMetadata()
            .withName(owner.getName())
            .withNamespace(answer.namespace())
            .withUid(owner.getUid())
            .endMetadata()
            .build(),
        "Normal",
        REASON,
        "Sluice did not inject a sidecar into a new pod: " + why + ".");
  }

  /** namespace/name, or namespace/generateName* for a pod a controller names on creation. */
  private static String podName(AdmissionWebhook.Answer answer) {
    var meta = answer.pod().getMetadata();
    String name =
        meta == null
            ? null
            : meta.getName() != null
                ? meta.getName()
                : meta.getGenerateName() == null ? null : meta.getGenerateName() + "*";
    return answer.namespace() + "/" + (name == null ? "(unnamed)" : name);
  }
}
