package dev.sluice.sidecar.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Invariant: content that waits does not keep a larger buffer alive: a slice of a buffer at least
 * twice its size is copied into one of its own (the slice released, the type and bytes kept); a
 * buffer of its own, or a slice of most of one, is kept as it is.
 */
class WaitingContentTest {
  private final UnpooledByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;

  @Test
  void aSmallSliceOfALargeReadIsCopiedAndReleased() {
    ByteBuf read = PooledByteBufAllocator.DEFAULT.buffer(65536);
    read.writeZero(1000).writeBytes("frame".getBytes(StandardCharsets.US_ASCII)).writeZero(60000);
    ByteBuf slice = read.retainedSlice(1000, 5);
    read.release(); // only the slice holds the read now
    LastHttpContent waiting = new DefaultLastHttpContent(slice, EmptyHttpHeaders.INSTANCE);

    HttpContent owned = WaitingContent.own(waiting, alloc);

    assertThat(owned).isNotSameAs(waiting).isInstanceOf(LastHttpContent.class);
    assertThat(owned.content().toString(StandardCharsets.US_ASCII)).isEqualTo("frame");
    assertThat(owned.content().capacity()).isEqualTo(5);
    assertThat(slice.refCnt()).as("the read buffer let go").isZero();
    owned.release();
  }

  @Test
  void contentWithABufferOfItsOwnIsKept() {
    HttpContent own = new DefaultHttpContent(Unpooled.buffer(5).writeZero(5));
    assertThat(WaitingContent.own(own, alloc)).isSameAs(own);
    ByteBuf read = Unpooled.buffer(100).writeZero(100);
    HttpContent most = new DefaultHttpContent(read.slice(0, 60));
    assertThat(WaitingContent.own(most, alloc)).as("most of its buffer").isSameAs(most);
    own.release();
    read.release();
  }
}
