package dev.sluice.sidecar.forward;

import static dev.sluice.sidecar.testing.Http2FrameTap.RST_STREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.sidecar.testing.Http2FrameTap.Direction;
import dev.sluice.sidecar.testing.Http2FrameTap.Frame;
import dev.sluice.sidecar.testing.Http2FrameTap.Stream;
import dev.sluice.sidecar.testing.ScriptedGrpcServer;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Invariant: a grpc-java client and a grpc-java server talking through the sidecar — h2c or TLS
 * downstream, h2c or TLS upstream — see every call as they would directly: messages many and large
 * intact and in order in every streaming shape, status codes, descriptions and metadata ({@code
 * -bin} too) in trailers and trailers-only responses exactly as sent; and on every plaintext hop
 * each gRPC stream ends exactly once per direction, the response on its trailers, nothing after.
 * How calls end early: {@link GrpcCancellationIT}.
 */
class GrpcStreamingIT extends GrpcCalls {
  @ParameterizedTest
  @EnumSource(Path.class)
  void unaryCallIsAnsweredAndTrailersAreAccepted(Path path) {
    Hop hop = hops.get(path);
    int[] mark = hop.mark();
    String id = newId();

    SimpleResponse response = blocking(hop, id).unaryRpc(request("hello"));

    assertThat(response.getResponseMessage()).isEqualTo("echo:hello");
    assertThat(hop.server().call(id).headers().get(ScriptedGrpcServer.CALL_ID)).isEqualTo(id);
    Observed observed = endedOnce(hop, mark, 1);
    for (Stream stream : observed.hops()) {
      assertThat(field(stream.requestHead(), "te")).as("te on %s", stream).isEqualTo("trailers");
      assertThat(field(stream.endOf(Direction.TO_CLIENT).headers(), "grpc-status")).isEqualTo("0");
    }
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void serverStreamsAThousandMessagesInOrder(Path path) {
    Hop hop = hops.get(path);
    int[] mark = hop.mark();

    List<String> received = new ArrayList<>();
    blocking(hop, newId())
        .serverStreamingRpc(request("many:1000:100"))
        .forEachRemaining(r -> received.add(r.getResponseMessage()));

    assertThat(received).hasSize(1000);
    for (int i = 0; i < received.size(); i++) {
      assertThat(received.get(i))
          .as("message %d", i)
          .isEqualTo(ScriptedGrpcServer.streamed(i, 100));
    }
    endedOnce(hop, mark, 1);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void serverStreamsLargeMessagesIntact(Path path) {
    Hop hop = hops.get(path);
    int[] mark = hop.mark();

    Iterator<SimpleResponse> responses =
        blocking(hop, newId()).serverStreamingRpc(request("many:4:" + LARGE));
    int count = 0;
    while (responses.hasNext()) {
      String message = responses.next().getResponseMessage();
      assertThat(message.length()).isEqualTo(LARGE);
      assertThat(message.equals(ScriptedGrpcServer.streamed(count, LARGE)))
          .as("message %d intact", count)
          .isTrue();
      count++;
    }

    assertThat(count).isEqualTo(4);
    endedOnce(hop, mark, 1);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void clientStreamsManySmallAndLargeMessages(Path path) throws Exception {
    Hop hop = hops.get(path);
    int[] mark = hop.mark();
    CompletableFuture<SimpleResponse> answer = new CompletableFuture<>();

    StreamObserver<SimpleRequest> requests =
        async(hop, newId()).clientStreamingRpc(completing(answer));
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String message = ScriptedGrpcServer.streamed(i, 100);
      sent.add(message.getBytes(StandardCharsets.UTF_8));
      requests.onNext(request(message));
    }
    for (int i = 0; i < 3; i++) {
      String message = ScriptedGrpcServer.streamed(i, LARGE);
      sent.add(message.getBytes(StandardCharsets.UTF_8));
      requests.onNext(request(message));
    }
    requests.onCompleted();

    long bytes = sent.stream().mapToLong(b -> b.length).sum();
    assertThat(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS).getResponseMessage())
        .isEqualTo(
            "count=1003 bytes="
                + bytes
                + " sha256="
                + ScriptedGrpcServer.sha256(sent.toArray(byte[][]::new)));
    endedOnce(hop, mark, 1);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void bidiStreamEchoesEachMessageBeforeTheNextIsSent(Path path) throws Exception {
    Hop hop = hops.get(path);
    int[] mark = hop.mark();
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    StreamObserver<SimpleRequest> requests = async(hop, newId()).bidiStreamingRpc(queueing(events));
    // Interleaved: each answer arrives while the request stream is still open.
    for (int i = 0; i < 100; i++) {
      requests.onNext(request("ping " + i));
      assertThat(next(events)).isEqualTo("echo:ping " + i);
    }
    // Then a burst, and the half-close: every echo, in order, then the end.
    for (int i = 0; i < 500; i++) {
      requests.onNext(request("burst " + i));
    }
    requests.onCompleted();
    for (int i = 0; i < 500; i++) {
      assertThat(next(events)).isEqualTo("echo:burst " + i);
    }

    assertThat(next(events)).isEqualTo(Status.Code.OK);
    endedOnce(hop, mark, 1);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void trailersOnlyResponsesKeepStatusAndEncodedMessage(Path path) {
    Hop hop = hops.get(path);
    int[] mark = hop.mark();
    String description = "caf\u00e9 \u2603 100% sure\r\nand a second line";
    Metadata echo = new Metadata();
    echo.put(ScriptedGrpcServer.ECHO, "trailers-only");

    StatusRuntimeException unary =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                blocking(hop, newId())
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(echo))
                    .unaryRpc(request("fail:FAILED_PRECONDITION:" + description)));
    StatusRuntimeException streaming =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                blocking(hop, newId())
                    .serverStreamingRpc(request("fail-after:0:NOT_FOUND:" + description))
                    .hasNext());

    assertThat(unary.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(unary.getStatus().getDescription()).isEqualTo(description);
    assertThat(unary.getTrailers().get(ScriptedGrpcServer.ECHO_TRAILER)).isEqualTo("trailers-only");
    assertThat(streaming.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(streaming.getStatus().getDescription()).isEqualTo(description);
    Observed observed = endedOnce(hop, mark, 2);
    for (Stream stream : observed.hops()) {
      List<Frame> response =
          stream.toward(Direction.TO_CLIENT).stream().filter(f -> f.type() != RST_STREAM).toList();
      assertThat(response).as("one HEADERS with END_STREAM on %s", stream).hasSize(1);
      assertThat(response.get(0).endStream()).isTrue();
      Http2Headers only = response.get(0).headers();
      assertThat(field(only, ":status")).isEqualTo("200");
      assertThat(field(only, "grpc-message")).contains("caf%C3%A9").contains("100%25");
    }
    if (!observed.downstream().isEmpty() && !observed.upstream().isEmpty()) {
      for (int i = 0; i < 2; i++) {
        assertThat(field(onlyFrame(observed.downstream().get(i)), "grpc-message"))
            .as("grpc-message as the server encoded it")
            .isEqualTo(field(onlyFrame(observed.upstream().get(i)), "grpc-message"));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void customMetadataCrossesBothWaysAsSent(Path path) {
    Hop hop = hops.get(path);
    int[] mark = hop.mark();
    String id = newId();
    byte[] binary = {0, 1, 2, (byte) 0xfe, (byte) 0xff, '\n', ':', '='};
    Metadata sent = new Metadata();
    sent.put(ScriptedGrpcServer.ECHO, "some value");
    sent.put(ScriptedGrpcServer.ECHO_BIN, binary);
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();

    blocking(hop, id)
        .withInterceptors(
            MetadataUtils.newAttachHeadersInterceptor(sent),
            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .unaryRpc(request("with metadata"));

    Metadata atServer = hop.server().call(id).headers();
    assertThat(atServer.get(ScriptedGrpcServer.ECHO)).isEqualTo("some value");
    assertThat(atServer.get(ScriptedGrpcServer.ECHO_BIN)).isEqualTo(binary);
    assertThat(headers.get().get(ScriptedGrpcServer.ECHO_HEADER)).isEqualTo("some value");
    assertThat(headers.get().get(ScriptedGrpcServer.ECHO_BIN)).isEqualTo(binary);
    assertThat(trailers.get().get(ScriptedGrpcServer.ECHO_TRAILER)).isEqualTo("some value");
    assertThat(trailers.get().get(ScriptedGrpcServer.ECHO_TRAILER_BIN)).isEqualTo(binary);
    for (Stream stream : endedOnce(hop, mark, 1).hops()) {
      assertThat(field(stream.endOf(Direction.TO_CLIENT).headers(), "x-echo-trailer-bin"))
          .as("-bin trailer on %s", stream)
          .isNotNull();
    }
  }
}
