package dev.sluice.sidecar.accesslog;

/** Where an exchange was when it ended: the second letter of a termination code. */
public enum Stage {
  /** It ran to its end. */
  NONE('-'),
  /** Reading the request from the client (its head's limits, or its body). */
  REQUEST('R'),
  /** An offload phase: the request's or the response's. */
  OFFLOAD('O'),
  /** Getting an upstream connection or stream. */
  CONNECT('C'),
  /** The request went upstream; no response head yet. */
  HEADERS('H'),
  /** Relaying the response body downstream. */
  DATA('D'),
  /** A tunnel after {@code 101 Switching Protocols} or an extended CONNECT. */
  TUNNEL('T');

  final char letter;

  Stage(char letter) {
    this.letter = letter;
  }

  public char letter() {
    return letter;
  }
}
