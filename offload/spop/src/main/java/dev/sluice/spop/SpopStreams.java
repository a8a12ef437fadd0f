package dev.sluice.spop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Frames over blocking streams, for command-line tools and test peers (not the proxy path). */
public final class SpopStreams {
  /** Reads one frame; refuses a length above {@code maxFrameSize} before reading its bytes. */
  public static Frame read(DataInputStream in, int maxFrameSize) throws IOException {
    long length = in.readInt() & 0xFFFF_FFFFL;
    if (length > maxFrameSize) {
      throw new SpopException(
          SpopStatus.FRAME_TOO_BIG,
          "frame of " + length + " bytes exceeds the max-frame-size " + maxFrameSize);
    }
    byte[] body = new byte[(int) length];
    in.readFully(body);
    ByteBuf buf = Unpooled.wrappedBuffer(body);
    try {
      return FrameCodec.decode(buf);
    } finally {
      buf.release();
    }
  }

  /** Writes one frame with its length prefix and flushes. */
  public static void write(OutputStream out, Frame frame) throws IOException {
    ByteBuf buf = Unpooled.buffer();
    try {
      FrameCodec.encode(frame, buf);
      buf.readBytes(out, buf.readableBytes());
      out.flush();
    } finally {
      buf.release();
    }
  }

  private SpopStreams() {}
}
