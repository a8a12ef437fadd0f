package dev.sluice.sidecar.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PoolChunkListMetric;
import io.netty.buffer.PoolChunkMetric;
import io.netty.buffer.PoolSubpageMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A pooled allocator of its own (so its metrics are the sidecar's alone) that counts the bytes it
 * hands out, and a receive-buffer allocator that counts what socket reads take. Socket reads carry
 * the payload itself; everything else is what the forwarding path allocated on top.
 */
public final class CountingAllocator implements ByteBufAllocator {
  private final PooledByteBufAllocator delegate;
  private final LongAdder allocated = new LongAdder();
  private final LongAdder received = new LongAdder();

  public CountingAllocator() {
    this.delegate = new PooledByteBufAllocator(true);
  }

  private CountingAllocator(PooledByteBufAllocator delegate) {
    this.delegate = delegate;
  }

  /**
   * An allocator without per-thread caches: a released buffer goes straight back to its arena, so
   * {@link #liveBytes()} is what the sidecar holds, not what it held once and keeps cached.
   */
  public static CountingAllocator uncached() {
    return new CountingAllocator(
        new PooledByteBufAllocator(
            true,
            PooledByteBufAllocator.defaultNumHeapArena(),
            PooledByteBufAllocator.defaultNumDirectArena(),
            PooledByteBufAllocator.defaultPageSize(),
            PooledByteBufAllocator.defaultMaxOrder(),
            0,
            0,
            false));
  }

  public long allocated() {
    return allocated.sum();
  }

  public long receiveBuffers() {
    return received.sum();
  }

  public void reset() {
    allocated.reset();
    received.reset();
  }

  /** Bytes the allocator's arenas hold right now (direct and heap). */
  public long pooledBytesInUse() {
    return delegate.metric().usedDirectMemory() + delegate.metric().usedHeapMemory();
  }

  /**
   * Bytes of the pooled buffers alive right now (direct and heap), rounded to their size classes
   * (cached ones count too, unless {@link #uncached()}): what the chunks handed out, less the free
   * elements of the pages small buffers share (an arena keeps one such page per size class even
   * when it is empty). Finer than {@link #pooledBytesInUse()}, which counts whole chunks.
   */
  public long liveBytes() {
    long live = 0;
    for (List<PoolArenaMetric> arenas :
        List.of(delegate.metric().directArenas(), delegate.metric().heapArenas())) {
      for (PoolArenaMetric arena : arenas) {
        for (PoolChunkListMetric list : arena.chunkLists()) {
          for (PoolChunkMetric chunk : list) {
            live += chunk.chunkSize() - chunk.freeBytes();
          }
        }
        for (PoolSubpageMetric page : arena.smallSubpages()) {
          live -= (long) page.numAvailable() * page.elementSize();
        }
      }
    }
    return live;
  }

  /** Socket-read sizing that attributes its buffers to {@link #receiveBuffers()}. */
  public RecvByteBufAllocator receive() {
    AdaptiveRecvByteBufAllocator adaptive = new AdaptiveRecvByteBufAllocator();
    return new RecvByteBufAllocator() {
      @Override
      public Handle newHandle() {
        ExtendedHandle inner = (ExtendedHandle) adaptive.newHandle();
        return new ExtendedHandle() {
          @Override
          public ByteBuf allocate(ByteBufAllocator alloc) {
            ByteBuf buf = inner.allocate(alloc);
            received.add(buf.capacity());
            return buf;
          }

          @Override
          public int guess() {
            return inner.guess();
          }

          @Override
          public void reset(io.netty.channel.ChannelConfig config) {
            inner.reset(config);
          }

          @Override
          public void incMessagesRead(int numMessages) {
            inner.incMessagesRead(numMessages);
          }

          @Override
          public void lastBytesRead(int bytes) {
            inner.lastBytesRead(bytes);
          }

          @Override
          public int lastBytesRead() {
            return inner.lastBytesRead();
          }

          @Override
          public void attemptedBytesRead(int bytes) {
            inner.attemptedBytesRead(bytes);
          }

          @Override
          public int attemptedBytesRead() {
            return inner.attemptedBytesRead();
          }

          @Override
          public boolean continueReading() {
            return inner.continueReading();
          }

          @Override
          public boolean continueReading(
              io.netty.util.UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return inner.continueReading(maybeMoreDataSupplier);
          }

          @Override
          public void readComplete() {
            inner.readComplete();
          }
        };
      }
    };
  }

  private ByteBuf count(ByteBuf buf) {
    allocated.add(buf.capacity());
    return buf;
  }

  @Override
  public ByteBuf buffer() {
    return count(delegate.buffer());
  }

  @Override
  public ByteBuf buffer(int initialCapacity) {
    return count(delegate.buffer(initialCapacity));
  }

  @Override
  public ByteBuf buffer(int initialCapacity, int maxCapacity) {
    return count(delegate.buffer(initialCapacity, maxCapacity));
  }

  @Override
  public ByteBuf ioBuffer() {
    return count(delegate.ioBuffer());
  }

  @Override
  public ByteBuf ioBuffer(int initialCapacity) {
    return count(delegate.ioBuffer(initialCapacity));
  }

  @Override
  public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
    return count(delegate.ioBuffer(initialCapacity, maxCapacity));
  }

  @Override
  public ByteBuf heapBuffer() {
    return count(delegate.heapBuffer());
  }

  @Override
  public ByteBuf heapBuffer(int initialCapacity) {
    return count(delegate.heapBuffer(initialCapacity));
  }

  @Override
  public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
    return count(delegate.heapBuffer(initialCapacity, maxCapacity));
  }

  @Override
  public ByteBuf directBuffer() {
    return count(delegate.directBuffer());
  }

  @Override
  public ByteBuf directBuffer(int initialCapacity) {
    return count(delegate.directBuffer(initialCapacity));
  }

  @Override
  public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
    return count(delegate.directBuffer(initialCapacity, maxCapacity));
  }

  @Override
  public CompositeByteBuf compositeBuffer() {
    return new CompositeByteBuf(this, true, 16);
  }

  @Override
  public CompositeByteBuf compositeBuffer(int maxNumComponents) {
    // Built on this allocator, so a consolidation that copies components is counted too.
    return new CompositeByteBuf(this, true, maxNumComponents);
  }

  @Override
  public CompositeByteBuf compositeHeapBuffer() {
    return new CompositeByteBuf(this, false, 16);
  }

  @Override
  public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
    // Built on this allocator, so a consolidation that copies components is counted too.
    return new CompositeByteBuf(this, false, maxNumComponents);
  }

  @Override
  public CompositeByteBuf compositeDirectBuffer() {
    return new CompositeByteBuf(this, true, 16);
  }

  @Override
  public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
    // Built on this allocator, so a consolidation that copies components is counted too.
    return new CompositeByteBuf(this, true, maxNumComponents);
  }

  @Override
  public boolean isDirectBufferPooled() {
    return true;
  }

  @Override
  public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
    return delegate.calculateNewCapacity(minNewCapacity, maxCapacity);
  }
}
