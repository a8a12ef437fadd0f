package dev.sluice.spop;

import io.netty.buffer.ByteBuf;

/**
 * SPOP's variable-length integer (HAProxy's peers varint, not LEB128): values below 240 take one
 * byte; larger ones put their low four bits in a first byte tagged 0xF0 and continue seven bits at
 * a time, each step subtracting what the previous byte could already express. Unsigned 64-bit
 * domain: negative numbers are their two's complement (10 bytes).
 */
public final class Varint {
  /** Longest encoding (2^64 - 1). */
  public static final int MAX_BYTES = 10;

  /** Writes {@code value} (read as unsigned). */
  public static void write(ByteBuf out, long value) {
    if (Long.compareUnsigned(value, 240) < 0) {
      out.writeByte((int) value);
      return;
    }
    out.writeByte((int) ((value | 0xF0) & 0xFF));
    long rest = (value - 240) >>> 4;
    while (Long.compareUnsigned(rest, 128) >= 0) {
      out.writeByte((int) ((rest | 0x80) & 0xFF));
      rest = (rest - 128) >>> 7;
    }
    out.writeByte((int) rest);
  }

  /** Bytes {@link #write} uses for {@code value}. */
  public static int size(long value) {
    if (Long.compareUnsigned(value, 240) < 0) {
      return 1;
    }
    int size = 2;
    long rest = (value - 240) >>> 4;
    while (Long.compareUnsigned(rest, 128) >= 0) {
      size++;
      rest = (rest - 128) >>> 7;
    }
    return size;
  }

  /**
   * Reads one varint.
   *
   * @param what the field being read, for the error message
   * @throws SpopException (invalid frame) when the bytes end early or run past ten bytes
   */
  public static long read(ByteBuf in, String what) {
    if (!in.isReadable()) {
      throw SpopException.invalid(what + ": frame ends before the integer");
    }
    int b = in.readUnsignedByte();
    if (b < 240) {
      return b;
    }
    long value = b;
    int shift = 4;
    for (int i = 1; i < MAX_BYTES; i++) {
      if (!in.isReadable()) {
        throw SpopException.invalid(what + ": frame ends inside a " + (i + 1) + "-byte integer");
      }
      b = in.readUnsignedByte();
      value += (long) b << shift;
      if (b < 128) {
        return value;
      }
      shift += 7;
    }
    throw SpopException.invalid(what + ": integer longer than " + MAX_BYTES + " bytes");
  }

  private Varint() {}
}
