package dev.sluice.bench;

import dev.sluice.sidecar.flow.OneMessagePerRead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-chunk forwarding path without sockets: an HTTP/1.1 body chunk decoded and handed out by
 * OneMessagePerRead (downstream side), and a body chunk turned into an HTTP/2 DATA frame (upstream
 * side). Throughput in chunks per microsecond; each chunk is 16 KiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BodyChunkBenchmark {
  private static final int CHUNK = 16 * 1024;
  private EmbeddedChannel downstream;
  private EmbeddedChannel upstream;
  private ByteBuf chunk;

  @Setup(Level.Trial)
  public void setUp() {
    downstream = new EmbeddedChannel();
    downstream.config().setAutoRead(false);
    downstream
        .pipeline()
        .addLast(
            new HttpRequestDecoder(),
            new OneMessagePerRead(),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                ctx.read(); // as the exchange does once the chunk is written
              }
            });
    downstream.writeInbound(
        PooledByteBufAllocator.DEFAULT
            .buffer()
            .writeBytes(
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
    downstream.read();
    upstream = new EmbeddedChannel(new Http2StreamFrameToHttpObjectCodec(false));
    chunk = PooledByteBufAllocator.DEFAULT.directBuffer(CHUNK).writeZero(CHUNK);
  }

  @Benchmark
  public void h1ChunkDecodedAndDelivered() {
    downstream.writeInbound(chunk.retainedDuplicate());
  }

  @Benchmark
  public Object chunkToHttp2DataFrame() {
    HttpContent content = new DefaultHttpContent(chunk.retainedDuplicate());
    upstream.writeOutbound(content);
    Object frame = upstream.readOutbound();
    ReferenceCountUtil.release(frame);
    return frame;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    downstream.finishAndReleaseAll();
    upstream.finishAndReleaseAll();
    chunk.release();
  }
}
