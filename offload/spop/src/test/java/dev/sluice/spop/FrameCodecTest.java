package dev.sluice.spop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The frames of SPOP.md section 7, byte for byte as HAProxy 2.6.12 and spoa-example sent them. */
class FrameCodecTest {
  static final String HAPROXY_26_HELLO =
      "00 00 00 81 01 00 00 00 01 00 00"
          + " 12 'supported-versions' 08 03 '2.0'"
          + " 0E 'max-frame-size' 03 FC F0 06"
          + " 0C 'capabilities' 08 10 'pipelining,async'"
          + " 09 'engine-id' 08 24 '772dba8b-9bb6-464f-a66b-5ed5d690b7eb'";

  static final String HEALTH_CHECK_HELLO =
      "00 00 00 4E 01 00 00 00 01 00 00 12 'supported-versions' 08 03 '2.0'"
          + " 0E 'max-frame-size' 03 FC F0 06 0C 'capabilities' 08 00 0B 'healthcheck' 11";

  static final String SPOA_EXAMPLE_HELLO =
      "00 00 00 46 65 00 00 00 01 00 00 07 'version' 08 03 '2.0'"
          + " 0E 'max-frame-size' 03 FC F0 06 0C 'capabilities' 08 10 'pipelining,async'";

  static final String SPOA_EXAMPLE_ACK =
      "00 00 00 15 67 00 00 00 01 00 01 01 03 01 08 'ip_score' 03 53";

  static final String SOFT_STOP_DISCONNECT =
      "00 00 00 25 02 00 00 00 01 00 00 0B 'status-code' 03 00 07 'message' 08 06 'normal'";

  @Test
  void decodesHaproxy26Hello() {
    Frame.HaproxyHello hello = (Frame.HaproxyHello) decode(Wire.bytes(HAPROXY_26_HELLO));
    assertThat(hello.items().get("supported-versions")).isEqualTo(SpopValue.of("2.0"));
    assertThat(Hellos.maxFrameSize(hello.items())).isEqualTo(16380L);
    assertThat(Hellos.capabilities(hello.items())).containsExactly("pipelining", "async");
    assertThat(hello.items().get("engine-id").asText())
        .isEqualTo("772dba8b-9bb6-464f-a66b-5ed5d690b7eb");
    assertThat(hello.items().get("healthcheck")).isNull();
  }

  @Test
  void healthCheckHelloIsByteIdenticalToHaproxys() {
    assertThat(encode(Hellos.healthCheck(16380))).isEqualTo(Wire.bytes(HEALTH_CHECK_HELLO));
    Frame.HaproxyHello hello = (Frame.HaproxyHello) decode(Wire.bytes(HEALTH_CHECK_HELLO));
    assertThat(hello.items().get("healthcheck")).isEqualTo(SpopValue.of(true));
    assertThat(Hellos.capabilities(hello.items())).isEmpty();
  }

  @Test
  void clientHelloIsTypedLikeHaproxy34s() {
    String engine = "772dba8b-9bb6-464f-a66b-5ed5d690b7eb";
    assertThat(encode(Hellos.client(16380, true, engine)))
        .isEqualTo(
            Wire.frame(
                "01 00 00 00 01 00 00 12 'supported-versions' 08 03 '2.0'"
                    + " 0E 'max-frame-size' 03 FC F0 06 0C 'capabilities' 08 0A 'pipelining'"
                    + " 09 'engine-id' 08 24 '"
                    + engine
                    + "'"));
  }

  @Test
  void agentHelloMatchesSpoaExamples() {
    Set<String> caps = new LinkedHashSet<>(List.of("pipelining", "async"));
    assertThat(encode(Hellos.agent(16380, caps))).isEqualTo(Wire.bytes(SPOA_EXAMPLE_HELLO));
    Frame.AgentHello hello = (Frame.AgentHello) decode(Wire.bytes(SPOA_EXAMPLE_HELLO));
    assertThat(hello.items().get("version").asText()).isEqualTo("2.0");
    assertThat(Hellos.maxFrameSize(hello.items())).isEqualTo(16380L);
  }

  @Test
  void decodesTheCapturedNotifyWithEveryTypeHaproxySends() throws Exception {
    byte[] hdrs = Wire.bytes("04 'host' 0E '127.0.0.1:8080' 0A 'user-agent' 09 'demo-ua/1' 00 00");
    String notify =
        "03 00 00 00 01 00 01"
            + " 0F 'check-client-ip' 01 00 06 7F 00 00 01"
            + " 0B 'log-request' 0A"
            + " 06 'method' 08 03 'GET'"
            + " 04 'path' 08 06 '/req/1'"
            + " 02 'ua' 08 09 'demo-ua/1'"
            + " 06 'absent' 00"
            + " 06 'is_tls' 01"
            + " 05 'dport' 04 F0 EA 02"
            + " 03 'neg' 04 FB F0 FE FE FE FE FE FE FE 0E"
            + " 03 'big' 04 F0 F1 FE FE 7E"
            + " 03 'src' 06 7F 00 00 01"
            + " 04 'hdrs' 09 "
            + String.format("%02x", hdrs.length)
            + " "
            + java.util.HexFormat.of().formatHex(hdrs);
    Frame.Notify decoded = (Frame.Notify) decode(Wire.frame(notify));
    assertThat(decoded.streamId()).isZero();
    assertThat(decoded.frameId()).isEqualTo(1);
    assertThat(decoded.messages()).hasSize(2);
    Message check = decoded.messages().get(0);
    assertThat(check.name()).isEqualTo("check-client-ip");
    assertThat(check.args())
        .containsExactly(
            new Message.Argument("", SpopValue.of(InetAddress.getByName("127.0.0.1"))));
    Message log = decoded.messages().get(1);
    assertThat(log.arg("method")).isEqualTo(SpopValue.of("GET"));
    assertThat(log.arg("path")).isEqualTo(SpopValue.of("/req/1"));
    assertThat(log.arg("absent")).isEqualTo(SpopValue.NULL);
    assertThat(log.arg("is_tls")).isEqualTo(SpopValue.of(false));
    assertThat(log.arg("dport")).isEqualTo(SpopValue.of(8080));
    assertThat(log.arg("neg")).isEqualTo(SpopValue.of(-5));
    assertThat(log.arg("big")).isEqualTo(SpopValue.of(4294967296L));
    assertThat(log.arg("hdrs")).isEqualTo(new SpopValue.Binary(hdrs));
    // and it encodes back to the same bytes
    assertThat(encode(decoded)).isEqualTo(Wire.frame(notify));
  }

  @Test
  void spoaExampleAckSetsASessionScore() {
    Frame.Ack ack = (Frame.Ack) decode(Wire.bytes(SPOA_EXAMPLE_ACK));
    assertThat(ack.streamId()).isZero();
    assertThat(ack.frameId()).isEqualTo(1);
    assertThat(ack.actions())
        .containsExactly(Action.set(Scope.SESS, "ip_score", new SpopValue.Uint32(83)));
    assertThat(ack.stoppedAt()).isNull();
    assertThat(encode(ack)).isEqualTo(Wire.bytes(SPOA_EXAMPLE_ACK));
  }

  @Test
  void disconnectCarriesOnlyStatusAndMessage() {
    Frame.HaproxyDisconnect bye =
        (Frame.HaproxyDisconnect) decode(Wire.bytes(SOFT_STOP_DISCONNECT));
    assertThat(bye).isEqualTo(new Frame.HaproxyDisconnect(0, "normal"));
    assertThat(encode(bye)).isEqualTo(Wire.bytes(SOFT_STOP_DISCONNECT));
    Frame.AgentDisconnect agentBye =
        (Frame.AgentDisconnect) decode(encode(new Frame.AgentDisconnect(99, "bye")));
    assertThat(agentBye).isEqualTo(new Frame.AgentDisconnect(99, "bye"));
  }

  @Test
  void everyValueTypeRoundTrips() throws Exception {
    List<SpopValue> values =
        List.of(
            SpopValue.NULL,
            SpopValue.of(true),
            SpopValue.of(false),
            new SpopValue.Int32(-7),
            new SpopValue.Uint32(0xFFFF_FFFFL),
            SpopValue.of(Long.MIN_VALUE),
            new SpopValue.Uint64(-1L),
            SpopValue.of(InetAddress.getByName("10.1.2.3")),
            SpopValue.of(InetAddress.getByName("2001:db8::1")),
            SpopValue.of(InetAddress.getByName("::ffff:10.0.0.1")),
            SpopValue.of(""),
            SpopValue.of("grüße"),
            new SpopValue.Binary(new byte[] {0, 1, (byte) 0xff}));
    List<Message.Argument> args =
        values.stream().map(v -> new Message.Argument("a" + v.typeId(), v)).toList();
    Frame.Notify notify = new Frame.Notify(3, 1, List.of(new Message("all", args)));
    assertThat(decode(encode(notify))).isEqualTo(notify);
    List<Action> actions =
        values.stream().map(v -> Action.set(Scope.TXN, "v" + v.typeId(), v)).toList();
    Frame.Ack ack = new Frame.Ack(3, 1, actions);
    assertThat(decode(encode(ack))).isEqualTo(ack);
  }

  @Test
  void anUnknownActionKeepsTheActionsBeforeItAndDropsTheRest() {
    byte[] frame =
        Wire.frame(
            "67 00 00 00 01 05 01"
                + " 01 03 02 05 'score' 04 0A"
                + " 09 01 02"
                + " 02 02 02 05 'other'");
    Frame.Ack ack = (Frame.Ack) decode(frame);
    assertThat(ack.actions()).containsExactly(Action.set(Scope.TXN, "score", SpopValue.of(10)));
    assertThat(ack.stoppedAt()).isEqualTo("unknown action type 9 with 1 arguments");
  }

  @Test
  void aBadScopeOrTruncatedActionStopsReadingToo() {
    Frame.Ack badScope = (Frame.Ack) decode(Wire.frame("67 00 00 00 01 01 01 02 02 07 01 'x'"));
    assertThat(badScope.actions()).isEmpty();
    assertThat(badScope.stoppedAt()).isEqualTo("variable scope 7 (expected: 0..4)");
    Frame.Ack truncated =
        (Frame.Ack) decode(Wire.frame("67 00 00 00 01 01 01 02 02 02 01 'x' 01 03 02 09 'abc'"));
    assertThat(truncated.actions()).containsExactly(Action.unset(Scope.TXN, "x"));
    assertThat(truncated.stoppedAt()).contains("variable name");
  }

  @Test
  void anEmptyNotifyIsAValidEvent() {
    Frame.Notify empty = (Frame.Notify) decode(Wire.frame("03 00 00 00 01 01 01"));
    assertThat(empty.messages()).isEmpty();
  }

  @Test
  void fragmentsAreRefusedWithStatus10() {
    assertStatus(Wire.frame("03 00 00 00 00 01 01 01 'm' 00"), 10, "fragmented frame");
    assertStatus(Wire.frame("00 00 00 00 01 01 01"), 10, "fragmented frame (type 0");
  }

  @Test
  void malformedFramesAreInvalidWithTheFieldNamed() {
    assertStatus(Wire.frame("03 00 00 00 01 01"), 4, "frame of 6 bytes (expected: at least 7)");
    assertStatus(
        Wire.frame("01 00 00 00 01 01 00"),
        4,
        "frame type 1 with stream-id 1 frame-id 0 (expected: 0 and 0)");
    assertStatus(
        Wire.frame("03 00 00 00 01 01 01 03 'msg' 01 02 'ip' 06 7F 00"),
        4,
        "message msg ip: frame ends inside a 4-byte address");
    assertStatus(
        Wire.frame("03 00 00 00 01 01 01 F0 F1 06 'x'"),
        4,
        "message name: length 16384 exceeds the 1 bytes left in the frame");
    assertStatus(
        Wire.frame("02 00 00 00 01 00 00 07 'message' 08 01 'x'"),
        4,
        "DISCONNECT without an integer status-code");
    assertStatus(Wire.frame("03 00 00 00 01 01 01 01 'm' 01 01 'a' 0C"), 4, "unknown data type 12");
  }

  @Test
  void unknownFrameTypesAreSkippable() {
    assertThat(decode(Wire.frame("2A 00 00 00 01 05 02 01 02 03")))
        .isEqualTo(new Frame.Unknown(42, 5, 2));
  }

  private static void assertStatus(byte[] framed, int status, String message) {
    assertThatThrownBy(() -> decode(framed))
        .isInstanceOf(SpopException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((SpopException) e).status())
        .isEqualTo(status);
  }

  static Frame decode(byte[] framed) {
    ByteBuf in = Unpooled.wrappedBuffer(framed);
    try {
      long length = in.readUnsignedInt();
      assertThat(length).isEqualTo(in.readableBytes());
      return FrameCodec.decode(in);
    } finally {
      in.release();
    }
  }

  static byte[] encode(Frame frame) {
    ByteBuf out = Unpooled.buffer();
    try {
      FrameCodec.encode(frame, out);
      return VarintTest.bytes(out);
    } finally {
      out.release();
    }
  }
}
