package dev.sluice.sidecar.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Invariant: a stream is writable while under 64 KiB is queued and, towards a peer that reads by
 * flow control, while bytes are queued only if its window takes more; with nothing queued one more
 * object may always go (END_STREAM on a zero window). Every change of the queued bytes is told,
 * with whether the bytes went out.
 */
class QueuedBytesTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final List<String> changes = new ArrayList<>();
  private int writableCalls;
  private final QueuedBytes queued =
      new QueuedBytes(
          () -> writableCalls++, (delta, sent) -> changes.add(delta + (sent ? " sent" : "")));

  private ChannelPromise queue(int bytes) {
    ByteBuf data = Unpooled.buffer(bytes).writeZero(bytes);
    ChannelPromise promise = queued.queued(channel.newPromise(), data);
    data.release();
    return promise;
  }

  @Test
  void withBytesQueuedAShutWindowStopsTheWriterAndNothingQueuedLetsOneMoreGo() {
    assertThat(queued.writable(true, false)).as("nothing queued: one more object").isTrue();
    ChannelPromise first = queue(1000);
    assertThat(queued.writable(true, false)).as("queued, window shut").isFalse();
    assertThat(queued.writable(true, true)).as("queued, window open").isTrue();

    first.setSuccess();

    assertThat(queued.queuedBytes()).isZero();
    assertThat(writableCalls).as("told once it drained").isEqualTo(1);
    assertThat(changes).containsExactly("1000", "-1000 sent");
  }

  @Test
  void theHighWaterStopsTheWriterWhateverTheWindow() {
    ChannelPromise big = queue(QueuedBytes.HIGH_WATER);
    assertThat(queued.writable(true, true)).isFalse();
    assertThat(queued.writable(true)).isFalse();
    big.setFailure(new IllegalStateException("stream closed"));
    assertThat(changes).containsExactly(QueuedBytes.HIGH_WATER + "", -QueuedBytes.HIGH_WATER + "");
    assertThat(queued.writable(true, true)).isTrue();
  }
}
