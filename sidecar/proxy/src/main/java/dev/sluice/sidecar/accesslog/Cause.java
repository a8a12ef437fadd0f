package dev.sluice.sidecar.accesslog;

/**
 * Why an exchange ended, as the access log's {@code cause} names it (a bounded set: the table in
 * docs/access-logs.md lists each with the termination codes it comes with).
 */
public enum Cause {
  /** Completed: the response was relayed to its end. */
  OK("ok"),
  /** Tunneled and the tunnel ended as it should. */
  TUNNEL_ENDED("tunnel_ended"),
  /** The rule's request timeout ran out. */
  TIMEOUT_REQUEST("timeout_request"),
  /** Nothing moved for the rule's idle timeout. */
  TIMEOUT_IDLE("timeout_idle"),
  /** The last try ran out of its per-try timeout. */
  TIMEOUT_PER_TRY("timeout_per_try"),
  /** The rule's whole-exchange timeout (Gateway API's {@code request}) ran out. */
  TIMEOUT_EXCHANGE("timeout_exchange"),
  /** The last try ran out of the rule's backend-request timeout. */
  TIMEOUT_BACKEND_REQUEST("timeout_backend_request"),
  /** An agent did not answer within its processing timeout. */
  TIMEOUT_AGENT("timeout_agent"),
  /** The connection closed (client) or closed before the message's end (upstream). */
  CLOSED("closed"),
  /** An HTTP/2 stream reset (RST_STREAM); the detail is the error code. */
  RESET("reset"),
  /** No connection could be made; the detail says why. */
  CONNECT_FAILED("connect_failed"),
  /** The upstream cluster had no endpoint to send to. */
  NO_ENDPOINT("no_endpoint"),
  /** A message that cannot be read: bad framing, a bad field, a bad status line. */
  MALFORMED("malformed"),
  /** A limit of the rule or listener: a body too large, too many headers. */
  LIMIT("limit"),
  /** Denied by a rule's deny action on an agent's variable; the detail is the status. */
  DENIED("deny"),
  /** The agent failed (error, no agent reachable) and the failure policy is Deny. */
  AGENT_FAILED("agent_failed"),
  /** The sidecar answered itself (a refused upgrade, a method a rule does not allow, ...). */
  LOCAL("local"),
  /** The rule redirects: the sidecar answered it, as configured; the detail is the status. */
  REDIRECT("redirect"),
  /**
   * A CORS preflight the rule answers: the sidecar answered it, nothing went upstream; the detail
   * says when its origin was not allowed.
   */
  CORS_PREFLIGHT("cors_preflight"),
  /** Cut for another reason; the detail says it. */
  ABORTED("aborted");

  final String label;

  Cause(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
