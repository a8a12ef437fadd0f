package dev.sluice.cli.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One selected pod as the operator recorded it: the rollout annotations, the {@code
 * sluice.dev/ConfigApplied} condition (its message carries the sidecar's drain figures) and the
 * agent health its sidecar last reported.
 *
 * @param name the pod
 * @param ready the pod's Ready condition
 * @param state where it stands ({@link PodState})
 * @param assignedRevision annotation {@code sluice.dev/assigned-revision}
 * @param assignedAt annotation {@code sluice.dev/assigned-at}
 * @param appliedRevision annotation {@code sluice.dev/applied-revision}
 * @param lastGoodRevision annotation {@code sluice.dev/last-good-revision}
 * @param rejectedRevision annotation {@code sluice.dev/rejected-revision}
 * @param rejectedReason annotation {@code sluice.dev/rejected-reason}
 * @param configApplied the pod condition (null: no report yet)
 * @param agents per agent: endpoints known and available
 * @param hints next commands when failed or behind
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PodReport(
    String name,
    boolean ready,
    PodState state,
    @Nullable String assignedRevision,
    @Nullable String assignedAt,
    @Nullable String appliedRevision,
    @Nullable String lastGoodRevision,
    @Nullable String rejectedRevision,
    @Nullable String rejectedReason,
    @Nullable ConditionLine configApplied,
    Map<String, AgentEndpoints> agents,
    List<String> hints) {

  /** One agent as the pod's sidecar sees it. */
  public record AgentEndpoints(int endpoints, int available) {
    public boolean healthy() {
      return available > 0;
    }
  }
}
