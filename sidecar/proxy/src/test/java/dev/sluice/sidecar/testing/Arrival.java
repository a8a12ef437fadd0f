package dev.sluice.sidecar.testing;

/** How a test client sends a request body over time. */
public enum Arrival {
  /** Head and body in one write. */
  ALL_AT_ONCE,
  /** Body in 1 KB writes. */
  SMALL_WRITES,
  /** Head, a pause, then the body. */
  PAUSE_AFTER_HEADERS,
  /** Everything but the last byte, a pause, then the last byte (and the end of the message). */
  LAST_BYTE_LATE,
  /** HTTP/1.1 {@code Expect: 100-continue}: the body only after the interim 100. */
  EXPECT_CONTINUE;

  /** The pause the timed patterns use. */
  public static final long PAUSE_MILLIS = 60;
}
