package dev.sluice.sidecar.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant: a stream inbox hands over one object per read, and the next only when its reader asks
 * again (re-entrantly, from the same loop); what is not asked for stays queued, unconsumed, and is
 * counted as held until it is handed over or released.
 */
class StreamInboundTest {
  private final List<HttpObject> delivered = new ArrayList<>();
  private final List<Integer> consumed = new ArrayList<>();
  private boolean askAgain;
  private StreamInbound inbound;

  private final StreamInbound.Reader reader =
      new StreamInbound.Reader() {
        @Override
        public boolean accepting() {
          return true;
        }

        @Override
        public void consume(int bytes) {
          consumed.add(bytes);
        }

        @Override
        public void deliver(HttpObject msg) {
          delivered.add(msg);
          if (askAgain) {
            inbound.request(); // the other side took it and takes more
          }
        }
      };

  @AfterEach
  void release() {
    delivered.forEach(ReferenceCountUtil::release);
    inbound.releaseAll();
  }

  private static HttpContent content(int bytes) {
    return new DefaultHttpContent(Unpooled.buffer(bytes).writeZero(bytes));
  }

  @Test
  void aReadHandsOverOneObjectAndTheRestStaysUnconsumed() {
    inbound = new StreamInbound(reader, false);
    inbound.offer(content(100), 100);
    inbound.offer(content(200), 200);
    inbound.offer(new DefaultLastHttpContent(Unpooled.buffer(0)), 0);
    assertThat(inbound.held()).isEqualTo(300);

    assertThat(inbound.request()).isFalse();

    assertThat(delivered).hasSize(1);
    assertThat(consumed).containsExactly(100);
    assertThat(inbound.held()).isEqualTo(200);
    assertThat(inbound.idle()).isFalse();
  }

  @Test
  void aReaderThatAsksAgainWhileHandedAnObjectGetsTheNextFromTheSameLoop() {
    inbound = new StreamInbound(reader, false);
    inbound.offer(content(100), 100);
    inbound.offer(content(200), 200);
    askAgain = true;

    inbound.request();

    assertThat(delivered).hasSize(2);
    assertThat(consumed).containsExactly(100, 200);
    assertThat(inbound.held()).isZero();
    assertThat(inbound.demanded()).as("the last ask waits for the next object").isTrue();
    inbound.offer(content(50), 50);
    assertThat(delivered).hasSize(3);
  }

  @Test
  void aReadWithNothingQueuedTakesTheNextObjectAtOnceAndOnlyThatOne() {
    inbound = new StreamInbound(reader, false);
    assertThat(inbound.request()).isTrue();
    inbound.offer(content(10), 10);
    inbound.offer(content(20), 20);

    assertThat(delivered).hasSize(1);
    assertThat(inbound.held()).isEqualTo(20);
  }

  @Test
  void releasingReportsWhatWasHeld() {
    inbound = new StreamInbound(reader, false);
    inbound.offer(content(100), 100);
    inbound.offer(content(28), 28);

    assertThat(inbound.releaseAll()).isEqualTo(128);
    assertThat(inbound.held()).isZero();
    assertThat(inbound.idle()).isTrue();
  }
}
