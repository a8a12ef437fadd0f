package dev.sluice.bench;

import dev.sluice.spop.Action;
import dev.sluice.spop.Frame;
import dev.sluice.spop.FrameCodec;
import dev.sluice.spop.Message;
import dev.sluice.spop.Scope;
import dev.sluice.spop.SpopValue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The SPOP work of one offloaded request on the sidecar: a NOTIFY with one message (the client's
 * address and a header) encoded, and the agent's ACK with two set-var actions decoded. Time per
 * frame.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SpopCodecBenchmark {
  private Frame.Notify notify;
  private ByteBuf ack;
  private ByteBuf out;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Inet4Address client = (Inet4Address) InetAddress.getByName("192.0.2.17");
    notify =
        new Frame.Notify(
            1,
            1,
            List.of(
                new Message(
                    "check-client-ip",
                    List.of(
                        new Message.Argument("ip", new SpopValue.Ipv4(client)),
                        new Message.Argument(
                            "ua", new SpopValue.Str("Mozilla/5.0 (X11; Linux x86_64)"))))));
    ack = PooledByteBufAllocator.DEFAULT.directBuffer();
    FrameCodec.encode(
        new Frame.Ack(
            1,
            1,
            List.of(
                new Action.SetVar(Scope.TXN, "iprep.ip_score", new SpopValue.Int32(42)),
                new Action.SetVar(Scope.TXN, "iprep.blocked", new SpopValue.Bool(false))),
            null),
        ack);
    ack.skipBytes(4); // the length prefix: decode gets the frame, as SpopFrameDecoder hands it
    out = PooledByteBufAllocator.DEFAULT.directBuffer(256);
  }

  @Benchmark
  public int encodeNotify() {
    out.clear();
    return FrameCodec.encode(notify, out);
  }

  @Benchmark
  public Frame decodeAck() {
    return FrameCodec.decode(ack.duplicate());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ack.release();
    out.release();
  }
}
