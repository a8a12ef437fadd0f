package dev.sluice.sidecar.forward;

import static dev.sluice.sidecar.testing.Http2FrameTap.DATA;
import static dev.sluice.sidecar.testing.Http2FrameTap.RST_STREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.sluice.sidecar.testing.Http2FrameTap.Direction;
import dev.sluice.sidecar.testing.Http2FrameTap.Frame;
import dev.sluice.sidecar.testing.Http2FrameTap.Stream;
import dev.sluice.sidecar.testing.ScriptedGrpcServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.netty.handler.codec.http2.Http2Error;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Invariant: gRPC calls through the sidecar — h2c or TLS downstream, h2c or TLS upstream — that end
 * early end as they would directly: deadlines forwarded ({@code grpc-timeout}), cancellation
 * reaching the other side both ways, a server's error or reset mid-stream reaching the client with
 * its status; where the sidecar answers itself (a reset before the response, a first message later
 * than the request timeout) the client gets the sidecar's status; and on every plaintext hop each
 * stream ends exactly once per direction, nothing after.
 */
class GrpcCancellationIT extends GrpcCalls {
  @ParameterizedTest
  @EnumSource(Path.class)
  void deadlineReachesTheServerAndEndsTheCall(Path path) throws Exception {
    Hop hop = hops.get(path);
    int[] mark = hop.mark();
    String id = newId();
    long deadlineMillis = 2000;

    StatusRuntimeException failure =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                blocking(hop, id)
                    .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
                    .unaryRpc(request("hold")));

    // The server runs the same deadline (from grpc-timeout), started a little later. Usually the
    // client's fires first (DEADLINE_EXCEEDED); on a starved machine the server's can, and it
    // resets the stream before any response, which the sidecar answers as a 502 (UNAVAILABLE),
    // as Envoy does. Either way the call fails, and the server saw the deadline and its end.
    assertThat(failure.getStatus().getCode())
        .isIn(Status.Code.DEADLINE_EXCEEDED, Status.Code.UNAVAILABLE);
    ScriptedGrpcServer.Call call = hop.server().call(id);
    assertThat(call).as("the call reached the server").isNotNull();
    assertThat(call.deadline()).as("the server's deadline, from grpc-timeout").isNotNull();
    assertThat(call.remainingNanosAtStart())
        .isPositive()
        .isLessThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(deadlineMillis));
    assertThat(call.awaitCancelled(WAIT.toSeconds())).as("the server's call cancelled").isTrue();
    assertThat(call.awaitContextCancellation(WAIT.toSeconds()))
        .as("the server's Context cancelled")
        .isNotNull();
    for (Stream stream : endedOnce(hop, mark, 1).hops()) {
      String timeout = field(stream.requestHead(), "grpc-timeout");
      assertThat(timeout).as("grpc-timeout on %s", stream).isNotNull();
      assertThat(grpcTimeoutNanos(timeout))
          .isLessThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(deadlineMillis));
    }
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void clientCancellationBeforeTheResponseReachesTheServer(Path path) throws Exception {
    Hop hop = hops.get(path);
    int[] mark = hop.mark();
    String id = newId();

    Future<SimpleResponse> pending =
        SimpleServiceGrpc.newFutureStub(hop.channel())
            .withInterceptors(callId(id))
            .withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS)
            .unaryRpc(request("hold"));
    await().atMost(WAIT).until(() -> hop.server().call(id) != null);
    pending.cancel(true);

    assertThat(hop.server().call(id).awaitCancelled(WAIT.toSeconds()))
        .as("the server's cancel handler ran")
        .isTrue();
    assertResetTowardServer(endedOnce(hop, mark, 1), Http2Error.CANCEL);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void clientCancellationMidStreamReachesTheServer(Path path) throws Exception {
    Hop hop = hops.get(path);
    int[] mark = hop.mark();
    String id = newId();
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    AtomicReference<ClientCallStreamObserver<SimpleRequest>> call = new AtomicReference<>();

    async(hop, id)
        .serverStreamingRpc(
            request("hold-after:3"),
            new ClientResponseObserver<SimpleRequest, SimpleResponse>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<SimpleRequest> requestStream) {
                call.set(requestStream);
              }

              @Override
              public void onNext(SimpleResponse value) {
                events.add(value.getResponseMessage());
              }

              @Override
              public void onError(Throwable t) {
                events.add(Status.fromThrowable(t).getCode());
              }

              @Override
              public void onCompleted() {
                events.add(Status.Code.OK);
              }
            });
    for (int i = 0; i < 3; i++) {
      assertThat(next(events)).isEqualTo(ScriptedGrpcServer.streamed(i, 64));
    }
    call.get().cancel("the client is done", null);

    assertThat(next(events)).isEqualTo(Status.Code.CANCELLED);
    assertThat(hop.server().call(id).awaitCancelled(WAIT.toSeconds()))
        .as("the server's cancel handler ran")
        .isTrue();
    assertResetTowardServer(endedOnce(hop, mark, 1), Http2Error.CANCEL);
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void serverErrorMidStreamReachesTheClientWithItsStatus(Path path) {
    Hop hop = hops.get(path);
    int[] mark = hop.mark();

    Iterator<SimpleResponse> responses =
        blocking(hop, newId())
            .serverStreamingRpc(request("fail-after:3:ABORTED:stopped after three"));
    for (int i = 0; i < 3; i++) {
      assertThat(responses.next().getResponseMessage())
          .isEqualTo(ScriptedGrpcServer.streamed(i, 64));
    }
    StatusRuntimeException failure =
        catchThrowableOfType(StatusRuntimeException.class, responses::hasNext);

    assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    assertThat(failure.getStatus().getDescription()).isEqualTo("stopped after three");
    for (Stream stream : endedOnce(hop, mark, 1).hops()) {
      assertThat(stream.toward(Direction.TO_CLIENT).stream().filter(f -> f.type() == DATA))
          .as("the messages before the trailers on %s", stream)
          .isNotEmpty();
      assertThat(field(stream.endOf(Direction.TO_CLIENT).headers(), "grpc-status")).isEqualTo("10");
    }
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void serverFailingABidiStreamTheClientStillSendsOnEndsIt(Path path) throws Exception {
    Hop hop = hops.get(path);
    int[] mark = hop.mark();
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    StreamObserver<SimpleRequest> requests = async(hop, newId()).bidiStreamingRpc(queueing(events));
    requests.onNext(request("first"));
    assertThat(next(events)).isEqualTo("echo:first");
    requests.onNext(request("fail:RESOURCE_EXHAUSTED:enough for today"));

    assertThat(next(events)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    for (Stream stream : endedOnce(hop, mark, 1).hops()) {
      assertThat(field(stream.endOf(Direction.TO_CLIENT).headers(), "grpc-message"))
          .isEqualTo("enough for today");
    }
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void serverResetMidStreamReachesTheClientAsCancelled(Path path) throws Exception {
    try (ScriptedGrpcServer server =
            path.tlsUpstream ? ScriptedGrpcServer.tls() : ScriptedGrpcServer.h2c();
        Hop hop = Hop.open(path, server)) {
      int[] mark = hop.mark();
      BlockingQueue<Object> events = new LinkedBlockingQueue<>();

      async(hop, newId()).serverStreamingRpc(request("hold-after:2"), queueing(events));
      assertThat(next(events)).isEqualTo(ScriptedGrpcServer.streamed(0, 64));
      assertThat(next(events)).isEqualTo(ScriptedGrpcServer.streamed(1, 64));
      server.shutdownNow(); // resets its open streams with CANCEL, then closes

      assertThat(next(events)).isEqualTo(Status.Code.CANCELLED);
      Observed observed = endedOnce(hop, mark, 1);
      for (Stream stream : observed.hops()) {
        assertThat(
                stream.toward(Direction.TO_CLIENT).stream()
                    .filter(f -> f.type() == RST_STREAM)
                    .map(Frame::errorCode))
            .as("reset toward the client on %s", stream)
            .containsExactly(Http2Error.CANCEL.code());
      }
    }
  }

  /**
   * Known and kept: an upstream that resets a stream before any of its response is answered for by
   * the sidecar with a 502 (as for every upstream failure before a response), which a gRPC client
   * reads as UNAVAILABLE; only once the response has started is the reset passed on as CANCEL.
   */
  @ParameterizedTest
  @EnumSource(Path.class)
  void serverResetBeforeTheResponseIsTheSidecars502(Path path) throws Exception {
    try (ScriptedGrpcServer server =
            path.tlsUpstream ? ScriptedGrpcServer.tls() : ScriptedGrpcServer.h2c();
        Hop hop = Hop.open(path, server)) {
      int[] mark = hop.mark();
      String id = newId();

      Future<SimpleResponse> pending =
          SimpleServiceGrpc.newFutureStub(hop.channel())
              .withInterceptors(callId(id))
              .withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS)
              .unaryRpc(request("hold"));
      await().atMost(WAIT).until(() -> server.call(id) != null);
      server.shutdownNow(); // resets its open streams with CANCEL, then closes

      ExecutionException failure =
          catchThrowableOfType(
              ExecutionException.class, () -> pending.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      Status status = Status.fromThrowable(failure.getCause());
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(status.getDescription()).contains("502");
      Observed observed = endedOnce(hop, mark, 1);
      for (Stream stream : observed.downstream()) {
        assertThat(field(stream.toward(Direction.TO_CLIENT).get(0).headers(), ":status"))
            .isEqualTo("502");
      }
      for (Stream stream : observed.upstream()) {
        assertThat(stream.reset()).as("reset by the server: %s", stream).isTrue();
      }
    }
  }

  /**
   * Known and kept: the rule's request timeout runs until the response head, and grpc-java sends
   * the head with the first message, so a stream whose first message comes later is the sidecar's
   * 504 (UNAVAILABLE to the client), and the server's call is cancelled.
   */
  @Test
  void firstMessageLaterThanTheRequestTimeoutIsTheSidecars504() throws Exception {
    try (Hop hop = Hop.open(Path.H2C_TO_H2C, h2cServer, "timeouts: {request: 300ms}")) {
      int[] mark = hop.mark();
      String id = newId();
      BlockingQueue<Object> events = new LinkedBlockingQueue<>();
      AtomicReference<Status> status = new AtomicReference<>();

      async(hop, id)
          .serverStreamingRpc(
              request("hold-after:0"),
              new StreamObserver<>() {
                @Override
                public void onNext(SimpleResponse value) {
                  events.add(value.getResponseMessage());
                }

                @Override
                public void onError(Throwable t) {
                  status.set(Status.fromThrowable(t));
                  events.add(status.get().getCode());
                }

                @Override
                public void onCompleted() {
                  events.add(Status.Code.OK);
                }
              });

      assertThat(next(events)).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(status.get().getDescription()).contains("504");
      assertThat(hop.server().call(id).awaitCancelled(WAIT.toSeconds()))
          .as("the server's call cancelled")
          .isTrue();
      assertResetTowardServer(
          new Observed(List.of(), endedOnce(hop, mark, 1).upstream()), Http2Error.CANCEL);
    }
  }
}
