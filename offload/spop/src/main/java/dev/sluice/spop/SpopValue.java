package dev.sluice.spop;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * One SPOP typed-data value. HAProxy sends every integer sample as {@link Int64}, addresses as
 * {@link Ipv4}/{@link Ipv6}, and {@link Null} for a sample it could not fetch.
 */
public sealed interface SpopValue {
  /** Type id, the low nibble of the type byte. */
  int typeId();

  /** The value as text: how a header or a log line shows it. Null renders as the empty string. */
  String asText();

  // Abstract, not a default method: an interface with default methods is initialized by its
  // implementations, and NULL below would then make a class-initialization deadlock possible.
  /**
   * The value as a signed 64-bit integer (all four integer types, and booleans as 0/1); null for
   * the other types.
   */
  @Nullable Long asLong();

  /** The NULL value (also: "unset" in a set-var action). */
  Null NULL = new Null();

  static SpopValue of(boolean value) {
    return new Bool(value);
  }

  static SpopValue of(long value) {
    return new Int64(value);
  }

  static SpopValue of(@Nullable String value) {
    return value == null ? NULL : new Str(value);
  }

  static SpopValue of(InetAddress address) {
    if (address instanceof Inet4Address v4) {
      return new Ipv4(v4);
    }
    return new Ipv6((Inet6Address) address);
  }

  /** Absent value. */
  record Null() implements SpopValue {
    @Override
    public int typeId() {
      return 0;
    }

    @Override
    public String asText() {
      return "";
    }

    @Override
    public @Nullable Long asLong() {
      return null;
    }
  }

  /** Boolean (encoded in the type byte's flag bit). */
  record Bool(boolean value) implements SpopValue {
    @Override
    public int typeId() {
      return 1;
    }

    @Override
    public String asText() {
      return value ? "1" : "0";
    }

    @Override
    public Long asLong() {
      return value ? 1L : 0L;
    }
  }

  /** Signed 32-bit integer. */
  record Int32(int value) implements SpopValue {
    @Override
    public int typeId() {
      return 2;
    }

    @Override
    public String asText() {
      return Integer.toString(value);
    }

    @Override
    public Long asLong() {
      return (long) value;
    }
  }

  /** Unsigned 32-bit integer (held in a long). */
  record Uint32(long value) implements SpopValue {
    public Uint32 {
      if (value < 0 || value > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("uint32 out of range: " + value);
      }
    }

    @Override
    public int typeId() {
      return 3;
    }

    @Override
    public String asText() {
      return Long.toString(value);
    }

    @Override
    public Long asLong() {
      return value;
    }
  }

  /** Signed 64-bit integer. */
  record Int64(long value) implements SpopValue {
    @Override
    public int typeId() {
      return 4;
    }

    @Override
    public String asText() {
      return Long.toString(value);
    }

    @Override
    public Long asLong() {
      return value;
    }
  }

  /** Unsigned 64-bit integer (bits held in a long). */
  record Uint64(long value) implements SpopValue {
    @Override
    public int typeId() {
      return 5;
    }

    @Override
    public String asText() {
      return Long.toUnsignedString(value);
    }

    @Override
    public Long asLong() {
      return value;
    }
  }

  /** IPv4 address. */
  record Ipv4(Inet4Address address) implements SpopValue {
    @Override
    public int typeId() {
      return 6;
    }

    @Override
    public String asText() {
      return address.getHostAddress();
    }

    @Override
    public @Nullable Long asLong() {
      return null;
    }
  }

  /** IPv6 address. */
  record Ipv6(Inet6Address address) implements SpopValue {
    @Override
    public int typeId() {
      return 7;
    }

    @Override
    public String asText() {
      return address.getHostAddress();
    }

    @Override
    public @Nullable Long asLong() {
      return null;
    }
  }

  /** String (bytes; no charset promise on the wire, read as UTF-8). */
  record Str(String value) implements SpopValue {
    @Override
    public int typeId() {
      return 8;
    }

    @Override
    public String asText() {
      return value;
    }

    @Override
    public @Nullable Long asLong() {
      return null;
    }
  }

  /** Binary. */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out; equals/hashCode compare contents
  record Binary(byte[] value) implements SpopValue {
    public Binary {
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    @Override
    public int typeId() {
      return 9;
    }

    @Override
    public String asText() {
      return new String(value, StandardCharsets.ISO_8859_1);
    }

    @Override
    public @Nullable Long asLong() {
      return null;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Binary b && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Binary[" + HexFormat.of().formatHex(value) + "]";
    }
  }
}
