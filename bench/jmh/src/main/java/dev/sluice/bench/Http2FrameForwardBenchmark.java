package dev.sluice.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * HTTP/2 DATA frame forwarding at the frame layer: a DATA frame parsed from the bytes one side
 * read, its payload written as a DATA frame to the other side without a copy (a retained slice),
 * then released as the socket write would. Time per frame, by payload size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Http2FrameForwardBenchmark {
  @Param({"1024", "16384"})
  int payload;

  private DefaultHttp2FrameReader reader;
  private DefaultHttp2FrameWriter writer;
  private EmbeddedChannel outbound;
  private ChannelHandlerContext ctx;
  private ByteBuf wire;
  private Forwarder forwarder;

  /** Writes every DATA frame it reads to the other side, END_STREAM preserved. */
  private final class Forwarder extends Http2FrameAdapter {
    @Override
    public int onDataRead(
        ChannelHandlerContext in, int streamId, ByteBuf data, int padding, boolean endOfStream) {
      // An embedded channel: the write cannot fail in a way the benchmark would act on.
      ChannelFuture unused =
          writer.writeData(ctx, 3, data.retain(), 0, endOfStream, ctx.newPromise());
      return data.readableBytes() + padding;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    reader = new DefaultHttp2FrameReader(false);
    writer = new DefaultHttp2FrameWriter();
    outbound = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    ctx = outbound.pipeline().firstContext();
    forwarder = new Forwarder();
    wire =
        PooledByteBufAllocator.DEFAULT.directBuffer(payload + Http2CodecUtil.FRAME_HEADER_LENGTH);
    wire.writeMedium(payload).writeByte(0x0).writeByte(0x1).writeInt(1).writeZero(payload);
  }

  @Benchmark
  public int forwardDataFrame() throws Http2Exception {
    reader.readFrame(ctx, wire.retainedDuplicate(), forwarder);
    outbound.flushOutbound(); // as the socket would: without it the writes pile up unflushed
    int buffers = 0;
    Object written;
    while ((written = outbound.readOutbound()) != null) {
      ReferenceCountUtil.release(written);
      buffers++;
    }
    if (buffers != 2) { // the frame header, then the payload itself (not copied behind it)
      throw new IllegalStateException("wrote " + buffers + " buffers, expected 2");
    }
    return buffers;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    outbound.finishAndReleaseAll();
    wire.release();
  }
}
