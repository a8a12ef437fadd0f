package dev.sluice.sidecar.upstream;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.flow.CoalescedFlushes;
import dev.sluice.sidecar.http2.FrameHandlers;
import dev.sluice.sidecar.http2.Http2Messages;
import dev.sluice.sidecar.http2.StreamFrames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/2 connection to an upstream (h2c prior knowledge, or TLS with ALPN h2) and the streams
 * open on it, at the frame layer: each lease is an {@link Http2StreamLease} that writes its request
 * through the connection's encoder and gets its response frames from this connection's listener,
 * with no channel, pipeline or codec per stream. Event-loop confined.
 */
final class Http2UpstreamConnection {
  /**
   * The receive window every stream starts with (SETTINGS_INITIAL_WINDOW_SIZE): what the upstream
   * may send of a response before the sidecar knows how much its client takes. A stream whose
   * client has more window open grows it, up to {@link #STREAM_WINDOW} ({@link
   * Http2StreamLease#readAhead}); one whose client has none keeps it.
   */
  static final int READ_AHEAD = 64 * 1024;

  /** The largest receive window of one stream: what one response may have in flight towards us. */
  static final int STREAM_WINDOW = 256 * 1024;

  /**
   * Streams open at once on one connection, at most, whatever the upstream allows: the connection
   * window below is sized for this many.
   */
  static final int MAX_STREAMS = 100;

  /**
   * The connection's receive window: twice what all its streams can hold unread ({@link
   * #MAX_STREAMS} x {@link #STREAM_WINDOW}). Bytes a stream's exchange has not read count against
   * the connection window as well as the stream's, and Netty gives consumed bytes back to the
   * connection window only once half of it was consumed; so with any less, streams whose clients
   * stopped reading could hold the whole connection window and starve every other stream on the
   * connection, other clients' included. At twice, they exhaust their own windows and never the
   * connection's. What the upstream can have in flight is still bounded by the stream windows.
   */
  static final int CONNECTION_WINDOW = 2 * MAX_STREAMS * STREAM_WINDOW;

  /**
   * Streams the sidecar may cancel (RST_STREAM) on one connection; then it takes no new streams and
   * closes once its streams ended. Servers count the resets a client sends against their
   * rapid-reset limits (Netty's: 200 in 30 s; nghttp2's: a burst of 1,000) and close a connection
   * over it, with every other client's stream on it. Shedding the streams of clients that do not
   * read, and passing on clients' cancellations, could get there within seconds. With at most
   * {@link #MAX_STREAMS} streams left to cancel after this, a connection sends at most 164.
   */
  static final int MAX_CANCELS = 64;

  /** Longest a retired connection is read after the sidecar ended its side. */
  static final long LINGER_MILLIS = 1000;

  private final Runnable onCapacity;
  private Channel channel;
  private FrameHandlers.Handler handler;
  private ChannelHandlerContext context;
  private Http2Connection.PropertyKey leaseKey;
  private Promise<Void> ready;
  private boolean tls;
  private long maxConcurrentStreams = MAX_STREAMS;
  private int streams;
  private int cancels;
  private boolean goAway;
  private boolean draining;
  private boolean closing;

  /** The peer's SETTINGS allowed extended CONNECT (RFC 8441 section 3: never withdrawn). */
  private boolean extendedConnect;

  /** Streams that carry a tunnel: reset when the pool closes (a drain's end). */
  private final Set<Http2StreamLease> tunnels = new HashSet<>();

  // initPipeline sets channel and ready, addHttp2 the HTTP/2 parts: both before any stream opens.
  @SuppressWarnings("NullAway.Init")
  Http2UpstreamConnection(Runnable onCapacity) {
    this.onCapacity = onCapacity;
  }

  void initPipeline(
      Channel ch, @Nullable SslContext tlsContext, @Nullable String serverName, int port) {
    this.channel = ch;
    this.tls = tlsContext != null;
    this.ready = ch.eventLoop().newPromise();
    CoalescedFlushes.install(ch.pipeline());
    ch.closeFuture()
        .addListener(
            f ->
                ready.tryFailure(
                    new IOException("upstream closed the connection before HTTP/2 SETTINGS")));
    if (tlsContext == null) {
      addHttp2(ch);
      return;
    }
    ch.pipeline().addLast("tls", tlsContext.newHandler(ch.alloc(), serverName, port));
    ch.pipeline()
        .addLast(
            "alpn",
            new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof SslHandshakeCompletionEvent done) {
                  ctx.pipeline().remove(this);
                  if (!done.isSuccess()) {
                    ready.tryFailure(done.cause());
                    ChannelFuture unused = ctx.close(); // no TLS, no connection
                    return;
                  }
                  String protocol = ctx.pipeline().get(SslHandler.class).applicationProtocol();
                  if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    ready.tryFailure(
                        new IOException(
                            "upstream did not negotiate h2 with ALPN (got " + protocol + ")"));
                    ChannelFuture unused = ctx.close(); // no h2, no connection
                    return;
                  }
                  addHttp2(ctx.channel());
                }
                ctx.fireUserEventTriggered(evt);
              }
            });
  }

  private void addHttp2(Channel ch) {
    handler =
        FrameHandlers.handler(
            false,
            new Frames(),
            Http2Settings.defaultSettings().pushEnabled(false).initialWindowSize(READ_AHEAD),
            CONNECTION_WINDOW);
    Http2Connection connection = handler.connection();
    leaseKey = connection.newKey();
    connection.addListener(new Lifecycle());
    handler
        .encoder()
        .flowController()
        .listener(
            stream -> {
              Http2StreamLease lease = lease(stream);
              if (lease != null) {
                lease.onWritabilityChanged();
              }
            });
    ch.pipeline().addLast("h2", handler).addLast("h2-errors", new Errors());
    context = ch.pipeline().context(handler);
  }

  Future<Void> ready() {
    return ready;
  }

  boolean canOpenStream() {
    return channel.isActive()
        && !goAway
        && !draining
        && streams < maxConcurrentStreams
        && (handler == null || !handler.connection().goAwayReceived());
  }

  void openStream(Promise<UpstreamLease> promise) {
    streams++;
    Http2StreamLease lease = new Http2StreamLease(this);
    if (!promise.trySuccess(lease)) {
      lease.release(false); // the acquirer gave up meanwhile
    }
  }

  /** A lease is over: its stream closed, or it never opened one. */
  void streamEnded() {
    streams--;
    if ((goAway || draining) && streams == 0) {
      closeWhenPeerDone(); // the last stream ended: nothing waits
    }
    onCapacity.run();
  }

  /**
   * A lease reset its stream; at {@link #MAX_CANCELS} the connection is retired: no new stream,
   * closed once the last one ended (the pool opens another).
   */
  void streamCancelled() {
    if (++cancels == MAX_CANCELS) {
      closeWhenIdle();
    }
  }

  void closeWhenIdle() {
    draining = true;
    if (streams == 0) {
      closeWhenPeerDone(); // idle already: nothing waits
    }
  }

  Channel channel() {
    return channel;
  }

  /**
   * Closes a connection with no stream left, without losing what was just written to it. The
   * upstream may still be sending (DATA of streams just reset); closing a socket with input unread
   * makes the kernel reset the connection, and the upstream's kernel may then drop what its server
   * had not read yet, the last RST_STREAM frames among it. So the sidecar ends its side (FIN, or
   * TLS close_notify), reads on until the upstream closes too, and closes after {@link
   * #LINGER_MILLIS} at the latest.
   */
  private void closeWhenPeerDone() {
    if (closing || !channel.isActive()) {
      return;
    }
    closing = true;
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl != null) {
      ChannelFuture unused = ssl.closeOutbound();
    } else if (channel instanceof DuplexChannel duplex) {
      ChannelFuture unused = duplex.shutdownOutput();
    } else {
      ChannelFuture unused = channel.close();
      return;
    }
    ScheduledFuture<?> unused =
        channel.eventLoop().schedule(this::closeNow, LINGER_MILLIS, TimeUnit.MILLISECONDS);
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the close is the end: nothing waits for it
  private void closeNow() {
    channel.close();
  }

  /**
   * True once the peer's SETTINGS allowed extended CONNECT (read before any lease is handed out).
   */
  boolean acceptsExtendedConnect() {
    return extendedConnect;
  }

  /** {@code lease}'s stream carries a tunnel until it closes. */
  void tunneled(Http2StreamLease lease) {
    tunnels.add(lease);
  }

  /**
   * The pool closed (a drain's end): no new stream, closed once the last one ended, and the streams
   * that carry tunnels, which would never end by themselves, reset now.
   */
  void closeForDrain() {
    closeWhenIdle();
    new ArrayList<>(tunnels).forEach(Http2StreamLease::cancelTunnel);
  }

  /** True while a stream of this connection carries a tunnel. */
  boolean carriesTunnels() {
    return !tunnels.isEmpty();
  }

  boolean tls() {
    return tls;
  }

  ChannelHandlerContext context() {
    return context;
  }

  Http2ConnectionEncoder encoder() {
    return handler.encoder();
  }

  Http2Connection connection() {
    return handler.connection();
  }

  /** Writes what the flow controller can send now and flushes the socket. */
  void flush() {
    channel.flush();
  }

  void attach(Http2Stream stream, Http2StreamLease lease) {
    stream.setProperty(leaseKey, lease);
  }

  private @Nullable Http2StreamLease lease(@Nullable Http2Stream stream) {
    return stream == null ? null : stream.getProperty(leaseKey);
  }

  private @Nullable Http2StreamLease lease(int streamId) {
    return handler == null ? null : lease(handler.connection().stream(streamId));
  }

  /** Response frames to the lease of their stream; the peer's SETTINGS. */
  private final class Frames extends StreamFrames {
    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
      extendedConnect |= Boolean.TRUE.equals(settings.connectProtocolEnabled());
      Long max = settings.maxConcurrentStreams();
      if (max != null) {
        maxConcurrentStreams = Math.min(max, MAX_STREAMS);
      }
      ready.trySuccess(null);
      onCapacity.run();
    }

    @Override
    protected void onHeaders(
        ChannelHandlerContext ctx, int streamId, Http2Headers headers, boolean endOfStream)
        throws Http2Exception {
      Http2StreamLease lease = lease(streamId);
      if (lease != null) {
        HttpObject msg = Http2Messages.inbound(false, streamId, headers, endOfStream, ctx.alloc());
        lease.onResponseObject(msg, 0, endOfStream);
      }
    }

    @Override
    protected boolean serves(int streamId) {
      return lease(streamId) != null;
    }

    @Override
    protected void onContent(int streamId, HttpContent content, int bytes) {
      // serves(streamId) held: the stream has a lease.
      requireNonNull(lease(streamId))
          .onResponseObject(content, bytes, content instanceof LastHttpContent);
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
      Http2StreamLease lease = lease(streamId);
      if (lease != null) {
        lease.onReset(errorCode);
      }
    }
  }

  /** Stream ends and the peer's GOAWAY. */
  private final class Lifecycle extends Http2ConnectionAdapter {
    @Override
    public void onStreamClosed(Http2Stream stream) {
      Http2StreamLease lease = lease(stream);
      if (lease != null) {
        tunnels.remove(lease);
        Http2Connection connection = handler.connection();
        String refused =
            connection.goAwayReceived() && stream.id() > connection.local().lastStreamKnownByPeer()
                ? "the upstream sent GOAWAY with last stream "
                    + connection.local().lastStreamKnownByPeer()
                : null;
        lease.onStreamClosed(refused, channel.isActive());
      }
    }

    @Override
    public void onGoAwayReceived(int lastStreamId, long errorCode, ByteBuf debugData) {
      goAway = true;
      if (streams == 0) {
        closeWhenPeerDone(); // no stream left to finish
      }
    }
  }

  /** Whatever reaches the end of the connection's pipeline fails it. */
  private final class Errors extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ready.tryFailure(cause);
      ChannelFuture unused = ctx.close(); // the failure is reported through ready
    }
  }
}
