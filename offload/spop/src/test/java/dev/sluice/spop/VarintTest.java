package dev.sluice.spop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VarintTest {
  /** The worked examples of SPOP.md section 4, several seen in captures of HAProxy traffic. */
  @ParameterizedTest
  @CsvSource({
    "0, 00",
    "239, ef",
    "240, f000",
    "255, ff00",
    "256, f001",
    "1000, f82f",
    "2287, ff7f",
    "2288, f08000",
    "8080, f0ea02",
    "16380, fcf006",
    "16384, f0f106",
    "264432, f0808000",
    "4294967296, f0f1fefe7e",
    "4294967295, fff0fefe7e",
    "-1, fff0fefefefefefefe0e",
    "-5, fbf0fefefefefefefe0e"
  })
  void encodesAndDecodesTheDocumentedExamples(long value, String hex) {
    ByteBuf out = Unpooled.buffer();
    try {
      Varint.write(out, value);
      assertThat(HexFormat.of().formatHex(bytes(out))).isEqualTo(hex);
      assertThat(Varint.size(value)).isEqualTo(hex.length() / 2);
      assertThat(Varint.read(out, "v")).isEqualTo(value);
      assertThat(out.isReadable()).isFalse();
    } finally {
      out.release();
    }
  }

  @Test
  void roundTripsEveryMagnitude() {
    SplittableRandom random = new SplittableRandom(42);
    ByteBuf out = Unpooled.buffer();
    try {
      for (int i = 0; i < 100_000; i++) {
        long value = random.nextLong() >>> random.nextInt(64);
        out.clear();
        Varint.write(out, value);
        assertThat(out.readableBytes()).isEqualTo(Varint.size(value));
        assertThat(Varint.read(out, "v")).as("%d", value).isEqualTo(value);
      }
    } finally {
      out.release();
    }
  }

  @Test
  void aTruncatedIntegerIsAnInvalidFrame() {
    ByteBuf in = Unpooled.wrappedBuffer(new byte[] {(byte) 0xf0, (byte) 0x80});
    try {
      assertThatThrownBy(() -> Varint.read(in, "stream-id"))
          .isInstanceOf(SpopException.class)
          .hasMessage("stream-id: frame ends inside a 3-byte integer")
          .extracting(e -> ((SpopException) e).status())
          .isEqualTo(SpopStatus.INVALID_FRAME);
    } finally {
      in.release();
    }
  }

  @Test
  void moreThanTenBytesIsRefusedInsteadOfLooping() {
    byte[] endless = new byte[64];
    java.util.Arrays.fill(endless, (byte) 0xff);
    ByteBuf in = Unpooled.wrappedBuffer(endless);
    try {
      assertThatThrownBy(() -> Varint.read(in, "frame-id"))
          .hasMessage("frame-id: integer longer than 10 bytes");
      assertThat(in.readerIndex()).isEqualTo(10);
    } finally {
      in.release();
    }
  }

  static byte[] bytes(ByteBuf buf) {
    byte[] bytes = new byte[buf.readableBytes()];
    buf.getBytes(buf.readerIndex(), bytes);
    return bytes;
  }
}
