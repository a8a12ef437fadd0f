package dev.sluice.sidecar.offload;

import dev.sluice.spop.Action;
import dev.sluice.spop.SpopStatus;
import java.util.List;

/**
 * How one event's offload ended: the agent's actions, or an error code as HAProxy's {@code
 * set-on-error} reports it (1: processing timeout; 256 + N: SPOP status N, e.g. 257 for a dropped
 * connection, 259 for a NOTIFY larger than the frame size, 355 for AGENT-DISCONNECT status 99).
 *
 * @param actions the ACK's actions (empty on error)
 * @param error 0 on success, else the error code
 * @param detail one sentence on what happened, for logs and local answers (empty on success)
 * @param millis time from sending to the outcome
 */
public record OffloadResult(List<Action> actions, int error, String detail, long millis) {
  /** {@code set-on-error} value of a processing timeout. */
  public static final int TIMEOUT = 1;

  /** Offset of SPOP statuses in {@code set-on-error} values. */
  public static final int STATUS_BASE = 256;

  public OffloadResult {
    actions = List.copyOf(actions);
  }

  public boolean ok() {
    return error == 0;
  }

  /** The {@code outcome} label of {@code sluice_offload_duration}: ok, timeout or error. */
  public String outcome() {
    return ok() ? "ok" : error == TIMEOUT ? "timeout" : "error";
  }

  static OffloadResult answered(List<Action> actions, long millis) {
    return new OffloadResult(actions, 0, "", millis);
  }

  static OffloadResult timedOut(String agent, long millis) {
    return new OffloadResult(
        List.of(),
        TIMEOUT,
        "agent " + agent + " did not answer within its processing timeout",
        millis);
  }

  /** A failure carrying SPOP status {@code status}. */
  static OffloadResult failed(int status, String detail, long millis) {
    return new OffloadResult(List.of(), STATUS_BASE + status, detail, millis);
  }

  static OffloadResult ioError(String detail, long millis) {
    return failed(SpopStatus.IO_ERROR, detail, millis);
  }
}
