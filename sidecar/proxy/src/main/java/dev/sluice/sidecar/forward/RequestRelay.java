package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.accesslog.Actor;
import dev.sluice.sidecar.accesslog.Cause;
import dev.sluice.sidecar.accesslog.Stage;
import dev.sluice.sidecar.accesslog.Termination;
import dev.sluice.sidecar.http2.Refusal;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request's way upstream: the head, then body objects, each written as soon as it arrives while
 * the upstream takes more (the next one is read then, or on the writability change). Objects that
 * arrive before there is a lease (offload, acquiring) queue, and go first once there is one; one
 * that arrives re-entrantly while the queue is written (a write that completes at once asks for the
 * next) queues behind them instead of overtaking them.
 */
final class RequestRelay {
  private static final Logger log = LoggerFactory.getLogger(RequestRelay.class);

  private final Exchange exchange;
  private final ArrayDeque<HttpContent> pending = new ArrayDeque<>(3);
  private final @Nullable ReplayBody replay;
  private boolean complete;
  private boolean draining;
  private boolean forwarded;
  private long bodyBytes;

  /**
   * {@code bodyless}: the head carries the whole request (no body object will count); {@code
   * replay}: where the body forwarded is kept for a retry (null: it is not).
   */
  RequestRelay(Exchange exchange, boolean bodyless, @Nullable ReplayBody replay) {
    this.exchange = exchange;
    this.complete = bodyless;
    this.replay = replay;
  }

  /** The whole request was read from downstream. */
  boolean complete() {
    return complete;
  }

  /**
   * The request can be sent again whole: none of its body went upstream yet, or all that did is
   * kept ({@link ReplayBody}).
   */
  boolean replayable() {
    return !forwarded || (replay != null && replay.holdsAll());
  }

  /** No try will be sent again any more (a response head came): the kept body is released. */
  void noMoreTries() {
    if (replay != null) {
      replay.release();
    }
  }

  /** Request body bytes read from the client so far. */
  long bodyBytes() {
    return bodyBytes;
  }

  /**
   * Admits the request before anything else happens: refused (the answer returned) when it declares
   * a body over the rule's limit; else {@code Expect: 100-continue} is answered here (the upstream
   * sees no Expect, it is hop-by-hop) so the body follows at once.
   */
  @Nullable Ending admit() {
    Long limit = exchange.config.maxRequestBodyBytes();
    long declared = limit == null ? -1L : RequestFraming.declaredLength(exchange.head);
    if (limit != null && declared > limit) {
      return Ending.answered(
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "request body of "
              + declared
              + " bytes exceeds maxRequestBodyBytes "
              + limit
              + " of rule "
              + exchange.rule.name(),
          Termination.of(Actor.PROXY, Stage.REQUEST, Cause.LIMIT, "maxRequestBodyBytes"));
    }
    if (!complete && RequestFraming.expectsContinue(exchange.head)) {
      // A failed write means the client is gone, which the downstream reports itself.
      ChannelFuture unused =
          exchange.downstream.write(
              new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    }
    return null;
  }

  /**
   * A body object from downstream (ownership passes): refused (released; the answer returned) when
   * it is unreadable or over the rule's limit, else queued while {@code phase} queues or the queue
   * drains, or written upstream.
   */
  @Nullable Ending onContent(HttpContent content, Phase phase) {
    if (content.decoderResult().isFailure()) {
      // An unreadable body (bad chunk size, chunk data longer than its size, a bad trailer): the
      // decoder hands an empty last content with the cause. It is never sent on as the end of the
      // body: the upstream would get a different, complete message.
      Throwable cause = content.decoderResult().cause();
      content.release();
      exchange.metrics.rejected(HttpResponseStatus.BAD_REQUEST.code());
      String problem =
          "malformed request body: "
              + Causes.framing(cause)
              + " (expected: RFC 9112 chunked framing)";
      exchange.downstream.refused(Refusal.MALFORMED_BODY, problem);
      return Ending.answered(
          HttpResponseStatus.BAD_REQUEST,
          problem,
          Termination.of(Actor.CLIENT, Stage.REQUEST, Cause.MALFORMED, Causes.framing(cause)));
    }
    int bytes = content.content().readableBytes();
    bodyBytes += bytes;
    Long limit = exchange.config.maxRequestBodyBytes();
    if (limit != null && bodyBytes > limit) {
      content.release();
      return Ending.answered(
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "request body exceeds maxRequestBodyBytes " + limit + " of rule " + exchange.rule.name(),
          Termination.of(Actor.PROXY, Stage.REQUEST, Cause.LIMIT, "maxRequestBodyBytes"));
    }
    if (content instanceof LastHttpContent) {
      complete = true;
    }
    if (phase.queuesRequestBody() || draining) {
      pending.add(content);
      if (phase == Phase.OFFLOAD_REQUEST) {
        exchange.offload().queued(bytes);
      }
      return null;
    }
    forward(content, exchange.leased());
    if (complete) {
      exchange.requestSent();
    }
    return null;
  }

  /**
   * Sends the head on the new {@code lease} (header rules of that hop, then the rule's header
   * actions), then what queued meanwhile; reads the response once that is done. Body reading starts
   * once the head went to the lease: an HTTP/2 stream exists (and has a flow-control window, hence
   * a meaningful writability) only after its HEADERS. The first body object is asked for at once,
   * so what arrived with the head leaves in its flush; the head's write completing asks again.
   */
  void start(UpstreamLease lease) {
    // An extended CONNECT sends its head alone; what its client sends is for the tunnel.
    ExtendedConnect connect = exchange.connect;
    boolean headOnly = connect != null;
    HttpRequest upstreamHead =
        exchange.headForUpstream(lease.http2(), exchange.bodyless || headOnly);
    String upgrade = exchange.upgrade;
    if (upgrade != null) {
      Upgrades.offer(upstreamHead, upgrade);
    }
    if (connect != null) {
      upstreamHead = connect.forUpstream(upstreamHead, lease.http2());
    }
    exchange.offload().requestHeaders(upstreamHead);
    exchange.mirrors().begin();
    draining = true;
    lease
        .write(upstreamHead)
        .addListener(
            (ChannelFuture f) -> {
              if (lease != exchange.lease()) {
                return; // a refused stream; the retry owns the exchange now
              }
              if (!f.isSuccess()) {
                exchange.onUpstreamClosed(f.cause());
              } else if (!complete && !headOnly && !exchange.done() && lease.isWritable()) {
                exchange.downstream.readRequest();
              }
            });
    replayOn(lease);
    HttpContent queued;
    while (!exchange.done() && lease == exchange.lease() && (queued = pending.poll()) != null) {
      forward(queued, lease);
    }
    draining = false;
    if (exchange.done() || lease != exchange.lease()) {
      return;
    }
    if (complete || headOnly) {
      exchange.requestSent();
    } else if (lease.isWritable()) {
      // The body that arrived with the head goes behind it, in the same flush; the downstream
      // hands over one object per read, and this is the first one's.
      exchange.downstream.readRequest();
      if (exchange.done() || lease != exchange.lease()) {
        return; // the body ended the exchange (a limit), or its lease (a refused stream)
      }
    }
    lease.read();
  }

  /** A retry: what the last try sent of the body goes first, from the same buffers. */
  private void replayOn(UpstreamLease lease) {
    if (replay == null || !forwarded) {
      return;
    }
    replay.replay(
        again -> {
          if (exchange.done() || lease != exchange.lease()) {
            again.release();
          } else {
            send(again, lease);
          }
        });
  }

  /**
   * Sends {@code content} on (kept for a retry first), and reads on while the upstream takes it.
   */
  private void forward(HttpContent content, UpstreamLease writing) {
    if (replay != null) {
      replay.keep(content);
    }
    forwarded = true;
    exchange.mirrors().body(content); // before the write, which takes the buffer
    send(content, writing);
    // As for the response: read on while the upstream is writable, not after each flush.
    if (writing == exchange.lease() && !complete && !exchange.done() && writing.isWritable()) {
      exchange.downstream.readRequest();
    }
  }

  private void send(HttpContent content, UpstreamLease writing) {
    if (log.isTraceEnabled()) {
      log.trace(
          "request body {} bytes, last {}",
          content.content().readableBytes(),
          content instanceof LastHttpContent);
    }
    HttpContent out =
        Bodies.forTarget(
            content, "request", writing.alloc(), exchange.config.zeroCopy(), exchange.metrics);
    writing
        .write(out)
        .addListener(
            (ChannelFuture f) -> {
              if (writing != exchange.lease()) {
                return;
              }
              if (log.isTraceEnabled()) {
                log.trace(
                    "request body written: {} writable {}", f.isSuccess(), writing.isWritable());
              }
              if (!f.isSuccess()) {
                exchange.onUpstreamClosed(f.cause());
              }
            });
  }

  /** A copy of the first {@code size} bytes queued (at most what is queued). */
  byte[] prefix(int size) {
    byte[] prefix = new byte[size];
    int at = 0;
    for (HttpContent chunk : pending) {
      ByteBuf bytes = chunk.content();
      int n = Math.min(size - at, bytes.readableBytes());
      bytes.getBytes(bytes.readerIndex(), prefix, at, n);
      at += n;
      if (at == size) {
        break;
      }
    }
    return prefix;
  }

  /** Releases what is still queued and what is kept (the exchange ended). */
  void releasePending() {
    HttpContent content;
    while ((content = pending.poll()) != null) {
      content.release();
    }
    noMoreTries();
  }
}
