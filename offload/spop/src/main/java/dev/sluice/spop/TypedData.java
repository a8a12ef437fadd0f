package dev.sluice.spop;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** Reads and writes typed data (a type byte, then the value) and SPOP's untyped strings. */
public final class TypedData {
  private static final int BOOL_TRUE = 0x10;

  /** Writes {@code value} with its type byte. */
  public static void write(ByteBuf out, SpopValue value) {
    if (value instanceof SpopValue.Bool b) {
      out.writeByte(b.value() ? BOOL_TRUE | 1 : 1);
      return;
    }
    out.writeByte(value.typeId());
    if (value instanceof SpopValue.Int32 i) {
      Varint.write(out, i.value());
    } else if (value instanceof SpopValue.Uint32 u) {
      Varint.write(out, u.value());
    } else if (value instanceof SpopValue.Int64 i) {
      Varint.write(out, i.value());
    } else if (value instanceof SpopValue.Uint64 u) {
      Varint.write(out, u.value());
    } else if (value instanceof SpopValue.Ipv4 v4) {
      out.writeBytes(v4.address().getAddress());
    } else if (value instanceof SpopValue.Ipv6 v6) {
      out.writeBytes(v6.address().getAddress());
    } else if (value instanceof SpopValue.Str s) {
      writeString(out, s.value());
    } else if (value instanceof SpopValue.Binary b) {
      byte[] bytes = b.value();
      Varint.write(out, bytes.length);
      out.writeBytes(bytes);
    }
  }

  /** Reads one typed value; {@code what} names the field for errors. */
  public static SpopValue read(ByteBuf in, String what) {
    if (!in.isReadable()) {
      throw SpopException.invalid(what + ": frame ends before the type byte");
    }
    int typeByte = in.readUnsignedByte();
    int type = typeByte & 0x0F;
    return switch (type) {
      case 0 -> SpopValue.NULL;
      case 1 -> new SpopValue.Bool((typeByte & BOOL_TRUE) != 0);
      case 2 -> new SpopValue.Int32((int) Varint.read(in, what));
      case 3 -> new SpopValue.Uint32(Varint.read(in, what) & 0xFFFF_FFFFL);
      case 4 -> new SpopValue.Int64(Varint.read(in, what));
      case 5 -> new SpopValue.Uint64(Varint.read(in, what));
      case 6 -> new SpopValue.Ipv4((Inet4Address) address(in, 4, what));
      case 7 -> new SpopValue.Ipv6(ipv6(address(in, 16, what)));
      case 8 -> new SpopValue.Str(readString(in, what));
      case 9 -> new SpopValue.Binary(readBytes(in, what));
      default -> throw SpopException.invalid(what + ": unknown data type " + type);
    };
  }

  /** Writes an untyped string: varint length, UTF-8 bytes. */
  public static void writeString(ByteBuf out, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    Varint.write(out, bytes.length);
    out.writeBytes(bytes);
  }

  /** Reads an untyped string. */
  public static String readString(ByteBuf in, String what) {
    int length = length(in, what);
    String value = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
    in.skipBytes(length);
    return value;
  }

  private static byte[] readBytes(ByteBuf in, String what) {
    byte[] bytes = new byte[length(in, what)];
    in.readBytes(bytes);
    return bytes;
  }

  /** A length prefix, checked against what is left of the frame before anything is allocated. */
  private static int length(ByteBuf in, String what) {
    long length = Varint.read(in, what);
    if (length < 0 || length > in.readableBytes()) {
      throw SpopException.invalid(
          what
              + ": length "
              + Long.toUnsignedString(length)
              + " exceeds the "
              + in.readableBytes()
              + " bytes left in the frame");
    }
    return (int) length;
  }

  private static InetAddress address(ByteBuf in, int size, String what) {
    if (in.readableBytes() < size) {
      throw SpopException.invalid(what + ": frame ends inside a " + size + "-byte address");
    }
    byte[] raw = new byte[size];
    in.readBytes(raw);
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4 or 16 byte address is always valid", e);
    }
  }

  /** IPv4-mapped IPv6 addresses come back from the JDK as Inet4Address; keep them IPv6. */
  private static Inet6Address ipv6(InetAddress address) {
    if (address instanceof Inet6Address v6) {
      return v6;
    }
    try {
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xFF;
      mapped[11] = (byte) 0xFF;
      System.arraycopy(address.getAddress(), 0, mapped, 12, 4);
      return Inet6Address.getByAddress(null, mapped, -1);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 16 byte address is always valid", e);
    }
  }

  private TypedData() {}
}
