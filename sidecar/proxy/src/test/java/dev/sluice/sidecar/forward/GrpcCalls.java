package dev.sluice.sidecar.forward;

import static dev.sluice.sidecar.testing.Http2FrameTap.DATA;
import static dev.sluice.sidecar.testing.Http2FrameTap.HEADERS;
import static dev.sluice.sidecar.testing.Http2FrameTap.RST_STREAM;
import static org.assertj.core.api.Assertions.assertThat;
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
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the gRPC tests share: a grpc-java server over h2c and one over TLS, and per {@link Path} a
 * sidecar between a grpc-java client and one of them, with a frame tap on each plaintext hop
 * ({@link Hop}), started once per test class; stubs bounded by {@link #WAIT}, and {@link
 * #endedOnce}, which holds the END_STREAM rules on what a test's calls put on the taps.
 */
abstract class GrpcCalls {
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
