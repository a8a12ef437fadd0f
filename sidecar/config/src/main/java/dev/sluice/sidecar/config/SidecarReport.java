package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a sidecar says after a reload attempt (to the operator's config service, and as the answer
 * of the admin {@code POST /reload}).
 *
 * @param revision the revision the report is about; null when the config could not be read
 * @param outcome Applied or Rejected
 * @param reason one sentence for a rejection (the first problem); null when applied
 * @param problems every problem of a rejected config, formatted like {@link ConfigProblem}
 * @param swapMillis time from the trigger to the new generation serving; null when rejected
 * @param drain what happened to the requests of the previous generation; null when rejected or
 *     still draining
 * @param time when the outcome was decided, RFC 3339 (the sidecar always says; a stand-in may not)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SidecarReport(
    @Nullable String revision,
    Outcome outcome,
    @Nullable String reason,
    List<String> problems,
    @Nullable Long swapMillis,
    @Nullable Drain drain,
    @Nullable String time) {

  public SidecarReport {
    problems = problems == null ? List.of() : List.copyOf(problems);
  }

  /** Result of a reload attempt. */
  public enum Outcome {
    Applied,
    Rejected
  }

  /**
   * Drain figures of the generation a reload replaced.
   *
   * @param requestsInFlight requests running on it at the swap
   * @param offloadInFlight offload requests (NOTIFY awaiting ACK) at the swap
   * @param completed requests that finished normally afterwards
   * @param deadlineExceeded requests ended by the drain deadline or a processing timeout
   * @param drainMillis time from the swap until the old generation closed
   */
  public record Drain(
      int requestsInFlight,
      int offloadInFlight,
      int completed,
      int deadlineExceeded,
      long drainMillis) {}
}
