package dev.sluice.sidecar.forward;

import static dev.sluice.sidecar.testing.Http2FrameTap.DATA;
import static dev.sluice.sidecar.testing.Http2FrameTap.HEADERS;
import static dev.sluice.sidecar.testing.Http2FrameTap.RST_STREAM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.sluice.sidecar.testing.Http2FrameTap;
import dev.sluice.sidecar.testing.Http2FrameTap.Direction;
import dev.sluice.sidecar.testing.Http2FrameTap.Frame;
import dev.sluice.sidecar.testing.Http2FrameTap.Stream;
import dev.sluice.sidecar.testing.RunningSidecar;
import dev.sluice.sidecar.testing.ScriptedGrpcServer;
import dev.sluice.sidecar.testing.TestTls;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Invariant: a grpc-java client and a grpc-java server talking through the sidecar — h2c or TLS
 * downstream, h2c or TLS upstream — see every call as they would directly: messages many and large
 * intact and in order in every streaming shape, deadlines forwarded ({@code grpc-timeout}),
 * cancellation reaching the other side both ways, status codes, descriptions and metadata ({@code
 * -bin} too) in trailers and trailers-only responses exactly as sent; and on every plaintext hop
 * each gRPC stream ends exactly once per direction, the response on its trailers, nothing after.
 */
class GrpcIT {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final int LARGE = 4 << 20;

  /** Downstream and upstream transport of a case. */
  enum Path {
    H2C_TO_H2C(false, false),
    TLS_TO_H2C(true, false),
    H2C_TO_TLS(false, true),
    TLS_TO_TLS(true, true);

    final boolean tlsDownstream;
    final boolean tlsUpstream;

    Path(boolean tlsDownstream, boolean tlsUpstream) {
      this.tlsDownstream = tlsDownstream;
      this.tlsUpstream = tlsUpstream;
    }
  }

  /**
   * One path through a sidecar: the client's channel, and a frame tap on each plaintext hop (client
   * to sidecar, sidecar to server); null on a TLS hop.
   */
  record Hop(
      Path path,
      ScriptedGrpcServer server,
      RunningSidecar sidecar,
      ManagedChannel channel,
      Http2FrameTap downstreamTap,
      Http2FrameTap upstreamTap)
      implements AutoCloseable {

    static Hop open(Path path, ScriptedGrpcServer server) throws Exception {
      return open(path, server, "");
    }

    /** {@code routeFields}: more fields of the rule, e.g. {@code timeouts: {...}}. */
    static Hop open(Path path, ScriptedGrpcServer server, String routeFields) throws Exception {
      Http2FrameTap upstreamTap = path.tlsUpstream ? null : new Http2FrameTap(server.address());
      String upstream = upstreamTap != null ? upstreamTap.hostPort() : server.hostPort();
      RunningSidecar sidecar =
          new RunningSidecar(
              """
              version: 1
              admin: {address: 127.0.0.1:0}
              listeners:
                - {name: http, address: 127.0.0.1:0%s}
              rules:
                - name: grpc
                  listener: http
                  upstream: {protocol: %s, endpoints: [%s]%s}
                  %s
              """
                  .formatted(
                      path.tlsDownstream
                          ? ", protocol: HTTPS, tls: {certificateFile: %s, privateKeyFile: %s}"
                              .formatted(TestTls.certificateFile(), TestTls.privateKeyFile())
                          : "",
                      path.tlsUpstream ? "h2" : "h2c",
                      upstream,
                      path.tlsUpstream ? ", tls: {insecureSkipVerify: true}" : "",
                      routeFields));
      InetSocketAddress listener = sidecar.sidecar().listenerAddresses().get("http");
      Http2FrameTap downstreamTap = path.tlsDownstream ? null : new Http2FrameTap(listener);
      ChannelCredentials credentials =
          path.tlsDownstream
              ? TlsChannelCredentials.newBuilder().trustManager(TestTls.certificateFile()).build()
              : InsecureChannelCredentials.create();
      NettyChannelBuilder channel =
          NettyChannelBuilder.forAddress(
                  downstreamTap != null ? downstreamTap.address() : listener, credentials)
              .proxyDetector(target -> null)
              .maxInboundMessageSize(ScriptedGrpcServer.MAX_MESSAGE);
      if (path.tlsDownstream) {
        channel.overrideAuthority("localhost"); // the test certificate's name
      }
      return new Hop(path, server, sidecar, channel.build(), downstreamTap, upstreamTap);
    }

    /** Where each tap stands now: the frames of what a test does come after. */
    int[] mark() {
      return new int[] {
        downstreamTap == null ? 0 : downstreamTap.mark(),
        upstreamTap == null ? 0 : upstreamTap.mark()
      };
    }

    @Override
    public void close() {
      try {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sidecar.close();
      if (downstreamTap != null) {
        downstreamTap.close();
      }
      if (upstreamTap != null) {
        upstreamTap.close();
      }
    }
  }

  /** The streams a test's calls opened on each plaintext hop (empty on a TLS hop). */
  record Observed(List<Stream> downstream, List<Stream> upstream) {
    List<Stream> hops() {
      List<Stream> all = new ArrayList<>(downstream);
      all.addAll(upstream);
      return all;
    }
  }

  static ScriptedGrpcServer h2cServer;
  static ScriptedGrpcServer tlsServer;
  static final Map<Path, Hop> hops = new EnumMap<>(Path.class);

  @BeforeAll
  static void start() throws Exception {
    h2cServer = ScriptedGrpcServer.h2c();
    tlsServer = ScriptedGrpcServer.tls();
    for (Path path : Path.values()) {
      hops.put(path, Hop.open(path, path.tlsUpstream ? tlsServer : h2cServer));
    }
    // One call through each hop first: the connections and TLS handshakes (the first of a JVM
    // loads and initializes the TLS stack) are made here, not inside a test's deadline.
    for (Hop hop : hops.values()) {
      blocking(hop, newId()).withDeadlineAfter(30, TimeUnit.SECONDS).unaryRpc(request("hello"));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (Hop hop : hops.values()) {
      hop.close();
    }
    h2cServer.close();
    tlsServer.close();
  }

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

  // Helpers

  static String newId() {
    return UUID.randomUUID().toString();
  }

  static SimpleRequest request(String message) {
    return SimpleRequest.newBuilder().setRequestMessage(message).build();
  }

  static io.grpc.ClientInterceptor callId(String id) {
    Metadata headers = new Metadata();
    headers.put(ScriptedGrpcServer.CALL_ID, id);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  /** A blocking stub for call {@code id}, bounded by {@link #WAIT} so that no call can hang. */
  static SimpleServiceGrpc.SimpleServiceBlockingStub blocking(Hop hop, String id) {
    return SimpleServiceGrpc.newBlockingStub(hop.channel())
        .withInterceptors(callId(id))
        .withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  static SimpleServiceGrpc.SimpleServiceStub async(Hop hop, String id) {
    return SimpleServiceGrpc.newStub(hop.channel())
        .withInterceptors(callId(id))
        .withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  static StreamObserver<SimpleResponse> completing(CompletableFuture<SimpleResponse> answer) {
    return new StreamObserver<>() {
      @Override
      public void onNext(SimpleResponse value) {
        answer.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        answer.completeExceptionally(new IllegalStateException("completed without an answer"));
      }
    };
  }

  /** Messages as their text, the end as its status code. */
  static StreamObserver<SimpleResponse> queueing(BlockingQueue<Object> events) {
    return new StreamObserver<>() {
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
    };
  }

  static Object next(BlockingQueue<Object> events) throws InterruptedException {
    Object event = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(event).as("an event within %s", WAIT).isNotNull();
    return event;
  }

  static String field(Http2Headers headers, String name) {
    CharSequence value = headers.get(name);
    return value == null ? null : value.toString();
  }

  static Http2Headers onlyFrame(Stream stream) {
    return stream.toward(Direction.TO_CLIENT).get(0).headers();
  }

  /** {@code grpc-timeout}: up to 8 digits and a unit (H, M, S, m, u, n). */
  static long grpcTimeoutNanos(String value) {
    long amount = Long.parseLong(value.substring(0, value.length() - 1));
    TimeUnit unit =
        switch (value.charAt(value.length() - 1)) {
          case 'H' -> TimeUnit.HOURS;
          case 'M' -> TimeUnit.MINUTES;
          case 'S' -> TimeUnit.SECONDS;
          case 'm' -> TimeUnit.MILLISECONDS;
          case 'u' -> TimeUnit.MICROSECONDS;
          case 'n' -> TimeUnit.NANOSECONDS;
          default -> throw new IllegalArgumentException("grpc-timeout " + value);
        };
    return unit.toNanos(amount);
  }

  static void assertResetTowardServer(Observed observed, Http2Error code) {
    for (Stream stream : observed.hops()) {
      assertThat(
              stream.toward(Direction.TO_SERVER).stream()
                  .filter(f -> f.type() == RST_STREAM)
                  .map(Frame::errorCode))
          .as("reset toward the server on %s", stream)
          .containsExactly(code.code());
    }
  }

  /** The response is a gRPC one (not a local answer of the sidecar's). */
  static boolean grpcResponse(Stream stream) {
    return stream.toward(Direction.TO_CLIENT).stream()
        .filter(f -> f.type() == HEADERS)
        .findFirst()
        .map(f -> field(f.headers(), "content-type"))
        .filter(type -> type.startsWith("application/grpc"))
        .isPresent();
  }

  /**
   * Waits (bounded) until the {@code calls} streams the test opened on each plaintext hop have
   * ended, then holds the END_STREAM rules on each: at most one END_STREAM per direction and no
   * HEADERS or DATA after it; a gRPC stream not reset ends both ways, its request on DATA and its
   * response on trailers carrying {@code grpc-status}.
   */
  static Observed endedOnce(Hop hop, int[] mark, int calls) {
    return new Observed(
        endedOnce(hop.downstreamTap(), mark[0], calls),
        endedOnce(hop.upstreamTap(), mark[1], calls));
  }

  private static List<Stream> endedOnce(Http2FrameTap tap, int mark, int calls) {
    if (tap == null) {
      return List.of();
    }
    await()
        .atMost(WAIT)
        .until(
            () -> {
              List<Stream> streams = tap.streamsSince(mark);
              return streams.size() >= calls && streams.stream().allMatch(Stream::settled);
            });
    List<Stream> streams = tap.streamsSince(mark);
    assertThat(streams).as("streams on the tap").hasSize(calls);
    for (Stream stream : streams) {
      for (Direction direction : Direction.values()) {
        List<Frame> frames = stream.toward(direction);
        int ends = 0;
        for (Frame frame : frames) {
          if (ends > 0) {
            assertThat(frame.type())
                .as("%s after END_STREAM: %s", frame, stream.frames())
                .isEqualTo(RST_STREAM);
          }
          if (frame.endStream()) {
            ends++;
          }
        }
        assertThat(ends).as("END_STREAM %s: %s", direction, stream.frames()).isLessThanOrEqualTo(1);
      }
      if (!stream.reset() && grpcResponse(stream)) {
        assertThat(stream.endOf(Direction.TO_SERVER).type())
            .as("the request ends on DATA: %s", stream.frames())
            .isEqualTo(DATA);
        Frame responseEnd = stream.endOf(Direction.TO_CLIENT);
        assertThat(responseEnd.type())
            .as("the response ends on its trailers: %s", stream.frames())
            .isEqualTo(HEADERS);
        assertThat(field(responseEnd.headers(), "grpc-status"))
            .as("grpc-status in the trailers: %s", stream.frames())
            .isNotNull();
      }
    }
    return streams;
  }
}
