package dev.sluice.spop;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Property-based fuzzing of the frame decoder with seeded generators (reproducible; the seed is in
 * every failure message): well-formed frames round-trip; random bytes, mutated and truncated frames
 * end in a {@link SpopException} or a frame, never another exception, a hang, or allocation out of
 * proportion to the input.
 */
class FrameDecoderPropertyTest {
  private static final int CASES = 60_000;

  /** Heap a decode may allocate: a generous multiple of the frame, plus a constant. */
  private static final long ALLOCATION_PER_BYTE = 512;

  private static final long ALLOCATION_CONSTANT = 256 * 1024;

  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void wellFormedFramesRoundTrip() {
    RandomFrames frames = new RandomFrames(new SplittableRandom(1));
    for (int i = 0; i < CASES / 4; i++) {
      Frame frame = frames.frame();
      byte[] encoded = FrameCodecTest.encode(frame);
      assertThat(FrameCodecTest.decode(encoded)).as("case %d", i).isEqualTo(frame);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void mutatedAndRandomInputNeverBreaksTheDecoder() {
    long seed = 7;
    SplittableRandom random = new SplittableRandom(seed);
    RandomFrames frames = new RandomFrames(random);
    long worstRatio = 0;
    for (int i = 0; i < CASES; i++) {
      byte[] input = mutate(random, frames);
      long before = THREADS.getCurrentThreadAllocatedBytes();
      decodeExpectingOnlySpopErrors(input, "seed " + seed + " case " + i);
      long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
      assertThat(allocated)
          .as("seed %d case %d: heap allocated decoding %d bytes", seed, i, input.length)
          .isLessThanOrEqualTo(ALLOCATION_PER_BYTE * input.length + ALLOCATION_CONSTANT);
      worstRatio = Math.max(worstRatio, allocated / Math.max(1, input.length));
    }
    assertThat(worstRatio).isLessThanOrEqualTo(ALLOCATION_PER_BYTE + ALLOCATION_CONSTANT);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void theChannelDecoderSurvivesAnySplitAndStopsAtTheFirstError() {
    SplittableRandom random = new SplittableRandom(11);
    RandomFrames frames = new RandomFrames(random);
    for (int i = 0; i < CASES / 20; i++) {
      List<Frame> sent = new ArrayList<>();
      ByteBuf stream = Unpooled.buffer();
      for (int n = random.nextInt(1, 6); n > 0; n--) {
        Frame frame = frames.frame();
        sent.add(frame);
        stream.writeBytes(FrameCodecTest.encode(frame));
      }
      boolean corrupt = random.nextInt(3) == 0;
      if (corrupt) {
        stream.setByte(random.nextInt(stream.readableBytes()), random.nextInt(256));
      }
      EmbeddedChannel channel = new EmbeddedChannel(new SpopFrameDecoder(1 << 20));
      List<Frame> received = new ArrayList<>();
      Throwable failure = null;
      while (stream.isReadable()) {
        ByteBuf piece = stream.readRetainedSlice(random.nextInt(1, stream.readableBytes() + 1));
        try {
          channel.writeInbound(piece);
        } catch (DecoderException e) {
          failure = e.getCause();
        }
        Frame f;
        while ((f = channel.readInbound()) != null) {
          received.add(f);
        }
      }
      stream.release();
      channel.finishAndReleaseAll();
      if (!corrupt) {
        assertThat(failure).as("case %d", i).isNull();
        assertThat(received).as("case %d", i).isEqualTo(sent);
      } else if (failure != null) {
        assertThat(failure).as("case %d", i).isInstanceOf(SpopException.class);
      }
    }
  }

  @Test
  void aLengthAboveTheLimitIsRefusedBeforeBuffering() {
    EmbeddedChannel channel = new EmbeddedChannel(new SpopFrameDecoder(16380));
    ByteBuf huge = Unpooled.buffer().writeInt(16381).writeBytes(new byte[100]);
    Throwable failure = null;
    try {
      channel.writeInbound(huge);
    } catch (DecoderException e) {
      failure = e.getCause();
    }
    assertThat(failure)
        .isInstanceOf(SpopException.class)
        .hasMessage("frame of 16381 bytes exceeds the max-frame-size 16380");
    assertThat(((SpopException) failure).status()).isEqualTo(SpopStatus.FRAME_TOO_BIG);
    // Everything after the error is discarded, not decoded.
    channel.writeInbound(Unpooled.wrappedBuffer(FrameCodecTest.encode(Hellos.healthCheck(300))));
    assertThat((Object) channel.readInbound()).isNull();
    channel.finishAndReleaseAll();
  }

  @Test
  void theEncoderRefusesFramesAboveTheNegotiatedSize() {
    SpopFrameEncoder encoder = new SpopFrameEncoder(16380);
    encoder.maxFrameSize(256);
    EmbeddedChannel channel = new EmbeddedChannel(encoder);
    var big = new Frame.Notify(1, 1, List.of(new Message("m", List.of(arg("x".repeat(300))))));
    var write = channel.writeOneOutbound(big);
    channel.flushOutbound();
    assertThat(write.cause())
        .isInstanceOf(io.netty.handler.codec.EncoderException.class)
        .cause()
        .hasMessageContaining("exceeds the max-frame-size 256");
    assertThat((Object) channel.readOutbound()).isNull();
    channel.finishAndReleaseAll();
  }

  private static Message.Argument arg(String text) {
    return new Message.Argument("a", SpopValue.of(text));
  }

  private static byte[] mutate(SplittableRandom random, RandomFrames frames) {
    byte[] valid = FrameCodecTest.encode(frames.frame());
    byte[] body = java.util.Arrays.copyOfRange(valid, 4, valid.length);
    switch (random.nextInt(5)) {
      case 0 -> body = frames.bytes(random.nextInt(400));
      case 1 -> {
        for (int flips = random.nextInt(1, 6); flips > 0 && body.length > 0; flips--) {
          body[random.nextInt(body.length)] = (byte) random.nextInt(256);
        }
      }
      case 2 -> body = java.util.Arrays.copyOf(body, random.nextInt(body.length + 1));
      case 3 -> {
        byte[] longer = java.util.Arrays.copyOf(body, body.length + random.nextInt(1, 50));
        System.arraycopy(
            frames.bytes(longer.length - body.length),
            0,
            longer,
            body.length,
            longer.length - body.length);
        body = longer;
      }
      default -> {
        // a varint-heavy header: huge ids and lengths
        byte[] prefix = {3, 0, 0, 0, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        byte[] joined = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, joined, 0, prefix.length);
        System.arraycopy(body, 0, joined, prefix.length, body.length);
        body = joined;
      }
    }
    return body;
  }

  private static void decodeExpectingOnlySpopErrors(byte[] body, String label) {
    ByteBuf in = Unpooled.wrappedBuffer(body);
    try {
      FrameCodec.decode(in);
    } catch (SpopException expected) {
      assertThat(expected.getMessage()).as(label).isNotBlank();
    } catch (RuntimeException e) {
      throw new AssertionError(label + ": " + e, e);
    } finally {
      in.release();
    }
  }
}
