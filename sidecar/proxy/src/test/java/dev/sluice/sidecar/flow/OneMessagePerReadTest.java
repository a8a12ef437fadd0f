package dev.sluice.sidecar.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One message per read(), including when read() is called from inside channelRead. */
class OneMessagePerReadTest {

  private static final class Sink extends ChannelInboundHandlerAdapter {
    final List<Integer> seen = new ArrayList<>();
    boolean readAgainInside;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      seen.add(((ByteBuf) msg).readInt());
      ReferenceCountUtil.release(msg);
      if (readAgainInside && seen.size() < 3) {
        ctx.read(); // as when a write completes synchronously and asks for the next message
      }
    }
  }

  @Test
  void holdsMessagesUntilEachRead() {
    Sink sink = new Sink();
    EmbeddedChannel channel = channel(new OneMessagePerRead(), sink);
    channel.writeInbound(number(1), number(2), number(3));
    assertThat(sink.seen).isEmpty();
    channel.read();
    assertThat(sink.seen).containsExactly(1);
    channel.read();
    channel.read();
    assertThat(sink.seen).containsExactly(1, 2, 3);
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void aReadFromInsideChannelReadDeliversTheNextMessageWithoutRecursionOrStall() {
    Sink sink = new Sink();
    sink.readAgainInside = true;
    EmbeddedChannel channel = channel(new OneMessagePerRead(), sink);
    channel.writeInbound(number(1), number(2), number(3), number(4));
    channel.read();
    assertThat(sink.seen).containsExactly(1, 2, 3);
    channel.read();
    assertThat(sink.seen).containsExactly(1, 2, 3, 4);
    channel.finishAndReleaseAll();
  }

  @Test
  void aPendingReadIsServedByTheNextArrival() {
    Sink sink = new Sink();
    EmbeddedChannel channel = channel(new OneMessagePerRead(), sink);
    channel.read();
    channel.writeInbound(number(7), number(8));
    assertThat(sink.seen).containsExactly(7);
    channel.finishAndReleaseAll();
  }

  @Test
  void readsAheadOfDemandUntilItHoldsTheBoundThenOnlyOnDemand() {
    ReadCounter reads = new ReadCounter();
    Sink sink = new Sink();
    EmbeddedChannel channel = channel(reads, new OneMessagePerRead(), sink);
    channel.writeInbound(number(1));
    assertThat(reads.count).as("socket kept armed after a read").isEqualTo(1);
    int chunk = 16 * 1024;
    int held = 4;
    for (int total = 4; total < OneMessagePerRead.READ_AHEAD_BYTES; total += chunk) {
      channel.writeInbound(Unpooled.buffer(chunk).writeInt(held++).writerIndex(chunk));
    }
    int atBound = reads.count;
    channel.writeInbound(Unpooled.buffer(chunk).writeInt(held).writerIndex(chunk));
    assertThat(reads.count).as("no read ahead at the bound").isEqualTo(atBound);
    assertThat(sink.seen).isEmpty();
    channel.read(); // the consumer takes one: reading on demand still works
    assertThat(sink.seen).containsExactly(1);
    channel.finishAndReleaseAll();
  }

  @Test
  void thePeersFinWaitsBehindTheMessagesBeforeItAndClosesWhenReached() {
    Sink sink = new Sink();
    EmbeddedChannel channel = channel(new OneMessagePerRead(), sink);
    channel.writeInbound(number(1), number(2));
    channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    assertThat(channel.isOpen()).isTrue();
    channel.read();
    channel.read();
    assertThat(sink.seen).containsExactly(1, 2);
    assertThat(channel.isOpen()).as("open until the consumer asks past the FIN").isTrue();
    channel.read();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aFinWhileTheConsumerWaitsClosesAtOnce() {
    EmbeddedChannel channel = channel(new OneMessagePerRead(), new Sink());
    channel.read();
    channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    assertThat(channel.isOpen()).isFalse();
  }

  /** Counts the reads that reach the socket. */
  private static final class ReadCounter extends io.netty.channel.ChannelOutboundHandlerAdapter {
    int count;

    @Override
    public void read(ChannelHandlerContext ctx) {
      count++;
      ctx.read();
    }
  }

  @Test
  void heldMessagesAreReleasedWhenTheHandlerLeaves() {
    EmbeddedChannel channel = channel(new OneMessagePerRead());
    ByteBuf held = number(1);
    channel.writeInbound(held);
    channel.pipeline().removeFirst();
    assertThat(held.refCnt()).isZero();
    channel.finishAndReleaseAll();
  }

  /** A channel with auto-read off before any handler sees it (no implicit first read). */
  private static EmbeddedChannel channel(io.netty.channel.ChannelHandler... handlers) {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAutoRead(false);
    channel.pipeline().addLast(handlers);
    return channel;
  }

  private static ByteBuf number(int n) {
    return Unpooled.buffer(4).writeInt(n);
  }
}
