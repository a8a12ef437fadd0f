package dev.sluice.sidecar.http2;

/**
 * What a server connection ({@link FrameHandlers#server}) reports of its client: refusals, to be
 * counted and logged, and the control frames that cost the server an answer. Event-loop confined.
 */
public interface ServerEvents {
  /** Something of the client's was refused; {@code detail} is a sentence saying what. */
  void refused(Refusal refusal, String detail);

  /** The client sent a PING ({@code ping}) or a SETTINGS frame (not an acknowledgement). */
  void controlFrame(boolean ping);
}
