package dev.sluice.sidecar.offload;

/**
 * How an offload phase ended for the request: go on, or answer locally.
 *
 * @param denyStatus 0 to go on; otherwise the status to answer with
 * @param reason the answer's body (why), empty when going on
 */
public record PhaseOutcome(int denyStatus, String reason) {
  public static final PhaseOutcome CONTINUE = new PhaseOutcome(0, "");

  public boolean denied() {
    return denyStatus != 0;
  }
}
