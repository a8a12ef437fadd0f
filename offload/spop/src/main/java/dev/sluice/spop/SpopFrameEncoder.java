package dev.sluice.spop;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * {@link Frame}s to socket bytes. A frame larger than the frame size in force fails its write with
 * {@link SpopStatus#FRAME_TOO_BIG} and sends nothing: SPOP has no fragmentation here.
 */
public final class SpopFrameEncoder extends MessageToByteEncoder<Frame> {
  private int maxFrameSize;

  public SpopFrameEncoder(int maxFrameSize) {
    super(Frame.class);
    this.maxFrameSize = maxFrameSize;
  }

  /** Sets the negotiated frame size. */
  public void maxFrameSize(int negotiated) {
    this.maxFrameSize = negotiated;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
    int start = out.writerIndex();
    int length = FrameCodec.encode(frame, out);
    if (length > maxFrameSize) {
      out.writerIndex(start);
      throw new SpopException(
          SpopStatus.FRAME_TOO_BIG,
          "frame of " + length + " bytes exceeds the max-frame-size " + maxFrameSize);
    }
  }
}
