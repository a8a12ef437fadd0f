package dev.sluice.sidecar.trace;

import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A W3C {@code traceparent} (Trace Context, level 1, section 3.2): a 16-byte trace id, the 8-byte
 * id of the caller's span ({@code parent-id}) and the trace flags, of which bit 0 is {@code
 * sampled}.
 *
 * <p>Parsing follows the specification's rules for a receiver: version {@code 00} is exactly 55
 * characters; a later version (not {@code ff}) is read for its first four fields, and what follows
 * them must start with {@code -}; hex is lower case only; an all-zero trace id or parent id is
 * invalid. An invalid value is as good as none: the trace restarts.
 */
public record TraceParent(long traceIdHigh, long traceIdLow, long parentId, byte flags) {
  /** Length of a version {@code 00} value. */
  static final int LENGTH = 55;

  private static final byte SAMPLED = 0x01;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  public TraceParent {
    if (traceIdHigh == 0 && traceIdLow == 0) {
      throw new IllegalArgumentException("trace id: all zeros (expected: at least one bit set)");
    }
    if (parentId == 0) {
      throw new IllegalArgumentException("parent id: all zeros (expected: at least one bit set)");
    }
  }

  /** The value of a {@code traceparent} field, or null when it is not a valid one. */
  public static @Nullable TraceParent parse(@Nullable CharSequence value) {
    if (value == null || value.length() < LENGTH) {
      return null;
    }
    int version = hexByte(value, 0);
    if (version < 0 || version == 0xff || value.charAt(2) != '-') {
      return null;
    }
    if (version == 0
        ? value.length() != LENGTH
        : value.length() > LENGTH && value.charAt(LENGTH) != '-') {
      return null;
    }
    if (value.charAt(35) != '-' || value.charAt(52) != '-') {
      return null;
    }
    int flags = hexByte(value, 53);
    if (flags < 0 || !allHex(value, 3, 32) || !allHex(value, 36, 16)) {
      return null;
    }
    long high = hexLong(value, 3);
    long low = hexLong(value, 19);
    long parent = hexLong(value, 36);
    if ((high == 0 && low == 0) || parent == 0) {
      return null;
    }
    // A later version may define more flags; only "sampled" is known, and version 00 sends only it.
    return new TraceParent(high, low, parent, (byte) (flags & SAMPLED));
  }

  /** A new trace: random ids, sampled as asked. */
  public static TraceParent start(boolean sampled) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = random.nextLong();
    long low = nonZero(random);
    return new TraceParent(high, low, nonZero(random), sampled ? SAMPLED : 0);
  }

  /** This trace continued by a new span of ours: same trace and flags, a random parent id. */
  public TraceParent child() {
    return new TraceParent(traceIdHigh, traceIdLow, nonZero(ThreadLocalRandom.current()), flags);
  }

  public boolean sampled() {
    return (flags & SAMPLED) != 0;
  }

  /** The trace id as 32 lower-case hex digits, as the access log and the agents get it. */
  public String traceId() {
    char[] out = new char[32];
    hex(traceIdHigh, out, 0);
    hex(traceIdLow, out, 16);
    return new String(out);
  }

  /** The parent id as 16 lower-case hex digits. */
  public String parentIdHex() {
    char[] out = new char[16];
    hex(parentId, out, 0);
    return new String(out);
  }

  /** The field value, version {@code 00}. */
  public String value() {
    char[] out = new char[LENGTH];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    hex(traceIdHigh, out, 3);
    hex(traceIdLow, out, 19);
    out[35] = '-';
    hex(parentId, out, 36);
    out[52] = '-';
    out[53] = HEX[(flags >> 4) & 0xf];
    out[54] = HEX[flags & 0xf];
    return new String(out);
  }

  @Override
  public String toString() {
    return value();
  }

  private static long nonZero(ThreadLocalRandom random) {
    long id;
    do {
      id = random.nextLong();
    } while (id == 0);
    return id;
  }

  private static void hex(long value, char[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
  }

  /** Two lower-case hex digits at {@code at} as a byte, or -1. */
  private static int hexByte(CharSequence value, int at) {
    int high = digit(value.charAt(at));
    int low = digit(value.charAt(at + 1));
    return high < 0 || low < 0 ? -1 : (high << 4) | low;
  }

  /** Sixteen lower-case hex digits at {@code at}, checked by {@link #allHex} before. */
  private static long hexLong(CharSequence value, int at) {
    long result = 0;
    for (int i = at; i < at + 16; i++) {
      result = (result << 4) | digit(value.charAt(i));
    }
    return result;
  }

  private static boolean allHex(CharSequence value, int at, int count) {
    for (int i = at; i < at + count; i++) {
      if (digit(value.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  private static int digit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}
