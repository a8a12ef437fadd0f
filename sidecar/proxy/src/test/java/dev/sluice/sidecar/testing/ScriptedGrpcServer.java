package dev.sluice.sidecar.testing;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real grpc-java server (Netty transport, h2c or TLS with ALPN h2) on loopback serving {@code
 * grpc.testing.SimpleService}, scripted by the first request message, and recording what each call
 * saw, keyed by the client's {@code x-call-id} header: its metadata, its deadline, whether and why
 * it was cancelled.
 *
 * <p>Scripts: unary {@code hold} (never answers), {@code fail:CODE:description} (fails at once: a
 * trailers-only response), else an echo; server streaming {@code many:COUNT:SIZE}, {@code
 * hold-after:N}, {@code fail-after:N:CODE:description}; client streaming answers with the count,
 * bytes and SHA-256 of what it received; bidi echoes each message as it arrives ({@code
 * fail:CODE:description} fails the call). A request carrying {@code x-echo} gets its value back in
 * the response headers ({@code x-echo-header}) and trailers ({@code x-echo-trailer}), and {@code
 * x-echo-bin}'s bytes in {@code x-echo-bin} and {@code x-echo-trailer-bin}.
 */
public final class ScriptedGrpcServer implements AutoCloseable {
  public static final int MAX_MESSAGE = 16 << 20;
  public static final Metadata.Key<String> CALL_ID =
      Metadata.Key.of("x-call-id", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> ECHO =
      Metadata.Key.of("x-echo", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<byte[]> ECHO_BIN =
      Metadata.Key.of("x-echo-bin", Metadata.BINARY_BYTE_MARSHALLER);
  public static final Metadata.Key<String> ECHO_HEADER =
      Metadata.Key.of("x-echo-header", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> ECHO_TRAILER =
      Metadata.Key.of("x-echo-trailer", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<byte[]> ECHO_TRAILER_BIN =
      Metadata.Key.of("x-echo-trailer-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private static final Context.Key<Call> CALL = Context.key("scripted-call");

  /** What one call saw on the server. */
  public static final class Call {
    private final Metadata headers;
    private final Deadline deadline;
    private final long remainingNanos;
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final AtomicReference<Throwable> contextCancelled = new AtomicReference<>();
    private final CountDownLatch contextClosed = new CountDownLatch(1);

    Call(Metadata headers, Deadline deadline) {
      this.headers = headers;
      this.deadline = deadline;
      this.remainingNanos = deadline == null ? -1 : deadline.timeRemaining(TimeUnit.NANOSECONDS);
    }

    public Metadata headers() {
      return headers;
    }

    /** The call's deadline as the server computed it from {@code grpc-timeout}; null if none. */
    public Deadline deadline() {
      return deadline;
    }

    /** The time the deadline left when the call reached the server; -1 without a deadline. */
    public long remainingNanosAtStart() {
      return remainingNanos;
    }

    /** Waits (bounded) for the service's cancel handler; true when it ran. */
    public boolean awaitCancelled(long seconds) throws InterruptedException {
      return cancelled.await(seconds, TimeUnit.SECONDS);
    }

    /**
     * Waits (bounded) for the call's Context to be cancelled and says why; null if it was not.
     * grpc-java closes the Context on its cancel executor, not the call's, so this may come after
     * the cancel handler ran.
     */
    public Throwable awaitContextCancellation(long seconds) throws InterruptedException {
      contextClosed.await(seconds, TimeUnit.SECONDS);
      return contextCancelled.get();
    }

    void contextCancelled(Throwable cause) {
      contextCancelled.set(cause);
      contextClosed.countDown();
    }
  }

  private final Server server;
  private final Map<String, Call> calls = new ConcurrentHashMap<>();

  private ScriptedGrpcServer(ServerCredentials credentials) throws IOException {
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
            .maxInboundMessageSize(MAX_MESSAGE)
            .addService(
                ServerInterceptors.intercept(
                    SimpleServiceGrpc.bindService(new Service()), new Recorder()))
            .build()
            .start();
  }

  /** Plaintext HTTP/2 (prior knowledge). */
  public static ScriptedGrpcServer h2c() throws IOException {
    return new ScriptedGrpcServer(InsecureServerCredentials.create());
  }

  /** TLS with ALPN h2, the {@link TestTls} certificate for localhost. */
  public static ScriptedGrpcServer tls() throws IOException {
    return new ScriptedGrpcServer(
        TlsServerCredentials.create(TestTls.certificateFile(), TestTls.privateKeyFile()));
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.getListenSockets().get(0);
  }

  public String hostPort() {
    return "127.0.0.1:" + address().getPort();
  }

  /** The call with {@code x-call-id: id}, once it reached the service; null before. */
  public Call call(String id) {
    return calls.get(id);
  }

  /** Stops at once: the open streams are reset (CANCEL) and the connections closed. */
  public void shutdownNow() {
    try {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    shutdownNow();
  }

  /** Records each call and adds the echoed metadata. */
  private final class Recorder implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      Context context = Context.current();
      Call seen = new Call(headers, context.getDeadline());
      String id = headers.get(CALL_ID);
      if (id != null) {
        calls.put(id, seen);
      }
      context.addListener(c -> seen.contextCancelled(c.cancellationCause()), Runnable::run);
      ServerCall<Q, R> echoing =
          new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata responseHeaders) {
              if (headers.containsKey(ECHO)) {
                responseHeaders.put(ECHO_HEADER, headers.get(ECHO));
              }
              if (headers.containsKey(ECHO_BIN)) {
                responseHeaders.put(ECHO_BIN, headers.get(ECHO_BIN));
              }
              super.sendHeaders(responseHeaders);
            }

            @Override
            public void close(Status status, Metadata trailers) {
              if (headers.containsKey(ECHO)) {
                trailers.put(ECHO_TRAILER, headers.get(ECHO));
              }
              if (headers.containsKey(ECHO_BIN)) {
                trailers.put(ECHO_TRAILER_BIN, headers.get(ECHO_BIN));
              }
              super.close(status, trailers);
            }
          };
      return Contexts.interceptCall(context.withValue(CALL, seen), echoing, headers, next);
    }
  }

  private static SimpleResponse response(String message) {
    return SimpleResponse.newBuilder().setResponseMessage(message).build();
  }

  /** {@code CODE:description} as a status. */
  private static Status status(String codeAndDescription) {
    String[] parts = codeAndDescription.split(":", 2);
    return Status.fromCode(Status.Code.valueOf(parts[0])).withDescription(parts[1]);
  }

  /** Message {@code index} of a {@code many:COUNT:SIZE} stream: its index, then filler. */
  public static String streamed(int index, int size) {
    StringBuilder message = new StringBuilder(size);
    message.append(String.format("%08d", index));
    char fill = (char) ('a' + index % 26);
    while (message.length() < size) {
      message.append(fill);
    }
    return message.toString();
  }

  /** Marks the current call cancelled when its client goes away. */
  private static void onCancel(StreamObserver<SimpleResponse> observer) {
    Call call = CALL.get();
    ((ServerCallStreamObserver<SimpleResponse>) observer)
        .setOnCancelHandler(
            () -> {
              if (call != null) {
                call.cancelled.countDown();
              }
            });
  }

  private static final class Service implements SimpleServiceGrpc.AsyncService {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
      String script = request.getRequestMessage();
      onCancel(observer);
      if (script.equals("hold")) {
        return;
      }
      if (script.startsWith("fail:")) {
        observer.onError(status(script.substring(5)).asRuntimeException());
        return;
      }
      observer.onNext(response("echo:" + script));
      observer.onCompleted();
    }

    @Override
    public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> observer) {
      String[] script = request.getRequestMessage().split(":", 3);
      onCancel(observer);
      switch (script[0]) {
        case "many" -> {
          int count = Integer.parseInt(script[1]);
          int size = Integer.parseInt(script[2]);
          for (int i = 0; i < count; i++) {
            observer.onNext(response(streamed(i, size)));
          }
          observer.onCompleted();
        }
        case "hold-after" -> {
          for (int i = 0; i < Integer.parseInt(script[1]); i++) {
            observer.onNext(response(streamed(i, 64)));
          }
        }
        case "fail-after" -> {
          for (int i = 0; i < Integer.parseInt(script[1]); i++) {
            observer.onNext(response(streamed(i, 64)));
          }
          observer.onError(status(script[2]).asRuntimeException());
        }
        default ->
            observer.onError(
                Status.INVALID_ARGUMENT.withDescription("no script " + script[0]).asException());
      }
    }

    @Override
    public StreamObserver<SimpleRequest> clientStreamingRpc(
        StreamObserver<SimpleResponse> observer) {
      onCancel(observer);
      MessageDigest sha = sha256();
      return new StreamObserver<>() {
        private int count;
        private long bytes;

        @Override
        public void onNext(SimpleRequest request) {
          byte[] message = request.getRequestMessage().getBytes(StandardCharsets.UTF_8);
          count++;
          bytes += message.length;
          sha.update(message);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          observer.onNext(
              response(
                  "count="
                      + count
                      + " bytes="
                      + bytes
                      + " sha256="
                      + HexFormat.of().formatHex(sha.digest())));
          observer.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> observer) {
      onCancel(observer);
      return new StreamObserver<>() {
        private boolean closed;

        @Override
        public void onNext(SimpleRequest request) {
          String message = request.getRequestMessage();
          if (closed) {
            return;
          }
          if (message.startsWith("fail:")) {
            closed = true;
            observer.onError(status(message.substring(5)).asRuntimeException());
          } else {
            observer.onNext(response("echo:" + message));
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          if (!closed) {
            observer.onCompleted();
          }
        }
      };
    }
  }

  /** SHA-256 of {@code bytes}, hex. */
  public static String sha256(byte[]... parts) {
    MessageDigest sha = sha256();
    for (byte[] part : parts) {
      sha.update(part);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
