package dev.sluice.spop;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Socket bytes to {@link Frame}s. A length above the frame size in force is refused before any of
 * the frame is buffered ({@link SpopStatus#FRAME_TOO_BIG}); after the first error the rest of the
 * input is discarded, so a broken peer costs nothing more while the connection closes.
 */
public final class SpopFrameDecoder extends ByteToMessageDecoder {
  private int maxFrameSize;
  private boolean failed;

  /** {@code maxFrameSize}: the size offered (client) or accepted (agent) before negotiation. */
  public SpopFrameDecoder(int maxFrameSize) {
    this.maxFrameSize = maxFrameSize;
  }

  /** Tightens the limit to the negotiated frame size. */
  public void maxFrameSize(int negotiated) {
    this.maxFrameSize = negotiated;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < 4) {
      return;
    }
    long length = in.getUnsignedInt(in.readerIndex());
    if (length > maxFrameSize) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw new SpopException(
          SpopStatus.FRAME_TOO_BIG,
          "frame of " + length + " bytes exceeds the max-frame-size " + maxFrameSize);
    }
    if (in.readableBytes() < 4 + length) {
      return;
    }
    in.skipBytes(4);
    ByteBuf frame = in.readSlice((int) length);
    try {
      out.add(FrameCodec.decode(frame));
    } catch (SpopException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }
}
