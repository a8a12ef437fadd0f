package dev.sluice.sidecar.forward;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.accesslog.Cause;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response's way downstream: the head with the rule's header rules, then body objects, the next
 * one read from the upstream while the downstream takes more (else on its writability change), so
 * what arrived in one socket read leaves in one flush.
 */
final class ResponseRelay {
  private static final Logger log = LoggerFactory.getLogger(ResponseRelay.class);

  private final Exchange exchange;

  /** One listener for every downstream write of this exchange, not a new one per write. */
  private final ChannelFutureListener writeDone;

  private boolean complete;

  /** The upstream answered before the request was whole (it may have stopped reading). */
  private boolean answeredEarly;

  /** HTTP/1.1 upstream said {@code Connection: close} (or is HTTP/1.0 without keep-alive). */
  private boolean upstreamCloses;

  private int status;

  /** The upstream accepted the upgrade the request offered: a tunnel follows the head. */
  private boolean switched;

  /** The newest write downstream (the response's end, once complete); null before the head. */
  private @Nullable ChannelFuture lastWrite;

  ResponseRelay(Exchange exchange) {
    this.exchange = exchange;
    this.writeDone =
        f -> {
          if (!f.isSuccess()) {
            log.debug("downstream write failed: {}", f.cause().toString());
            exchange.onDownstreamClosed();
          }
        };
  }

  /**
   * True when {@code head} is a 1xx from upstream (100, 103) that is not relayed (100 Continue was
   * answered locally): released, and the next object read. A 101 accepting the upgrade the request
   * offered is the response itself: a tunnel follows it.
   */
  boolean skipsInformational(HttpResponse head) {
    if (head.status().codeClass() != HttpStatusClass.INFORMATIONAL
        || ((exchange.upgrade != null || exchange.connect != null) && Upgrades.accepted(head))) {
      return false;
    }
    ReferenceCountUtil.release(head);
    exchange.leased().read();
    return true;
  }

  /** The response was a {@code 101} accepting the upgrade: the exchange becomes a tunnel. */
  boolean switched() {
    return switched;
  }

  /** The response's last object was written downstream. */
  boolean complete() {
    return complete;
  }

  /**
   * The upstream connection may carry another request: both directions completed, the upstream did
   * not answer early and did not say it closes.
   */
  boolean reusable(boolean requestComplete) {
    return requestComplete && complete && !answeredEarly && !upstreamCloses;
  }

  /**
   * Sends the response head downstream (with the rule's CORS fields and response headers applied).
   */
  void start(HttpResponse response, boolean requestComplete) {
    boolean upstreamHttp2 = exchange.leased().http2();
    answeredEarly = !requestComplete;
    upstreamCloses = !upstreamHttp2 && !HttpUtil.isKeepAlive(response);
    status = response.status().code();
    // An answer before the request ended closes an HTTP/1.1 connection afterwards: say so.
    boolean keepAlive =
        exchange.clientKeepAlive && requestComplete && !exchange.downstream.stopping();
    HttpResponse out =
        HeaderRules.responseForDownstream(
            response,
            upstreamHttp2,
            exchange.downstream.http2(),
            exchange.head.method(),
            keepAlive,
            exchange.responseEdits);
    if (exchange.upgrade != null && Upgrades.accepted(response)) {
      switched = true;
      Upgrades.confirm(out, response);
    }
    // An accepted extended CONNECT: the head is the whole HTTP response, a tunnel follows it.
    boolean connected =
        exchange.connect != null && ExtendedConnect.accepted(response, upstreamHttp2);
    if (connected) {
      switched = true;
      ExtendedConnect.confirm(out, upstreamHttp2);
      status = HttpResponseStatus.OK.code();
    }
    exchange.offload().responseHeaders(out);
    exchange.record.responseStarted(status);
    if (!(response instanceof LastHttpContent)) {
      // The upstream reads ahead only as far as the client's window reaches.
      exchange.leased().readAhead(exchange.downstream.responseWindow());
    }
    complete = response instanceof LastHttpContent || connected;
    write(out);
  }

  /** A response body object (ownership passes), after the head. */
  void content(HttpContent content) {
    exchange.record.responseBytes(content.content().readableBytes());
    if (content instanceof LastHttpContent) {
      complete = true;
    }
    write(
        Bodies.forTarget(
            content,
            "response",
            exchange.downstream.alloc(),
            exchange.config.zeroCopy(),
            exchange.metrics));
  }

  /**
   * Tells the downstream how the exchange ended ({@code ended}: the phase it ended in): the
   * response recorded, a local answer written, the stream or connection cut, or nothing (the client
   * is gone).
   */
  void ended(Ending why, Phase ended, boolean requestComplete, ExchangeTimers timers) {
    HttpRequest head = exchange.head;
    switch (why.kind()) {
      case COMPLETED -> finished(requestComplete, timers.elapsed());
      case ANSWERED -> // answered() gives both
          answer(why, requestComplete, timers);
      case ABORTED -> {
        log.debug("{} {} aborted ({}): {}", head.method(), head.uri(), ended, why.reason());
        exchange.downstream.abort();
      }
      case CANCELLED -> {
        log.debug("{} {} cancelled ({}): {}", head.method(), head.uri(), ended, why.reason());
        exchange.downstream.cancel();
      }
      case TUNNELED -> exchange.metrics.request(exchange.rule.name(), status, timers.elapsed());
      case DOWNSTREAM_CLOSED ->
          log.trace("{} {}: client gone ({})", head.method(), head.uri(), ended);
    }
  }

  /**
   * The response ended: recorded, and the downstream told. An HTTP/2 stream whose upload is still
   * arriving is reset (NO_ERROR) to stop it, but only once the response's last DATA frame is out: a
   * reset written now would cancel it while it waits in HTTP/2 flow control.
   */
  private void finished(boolean requestComplete, long elapsedNanos) {
    exchange.metrics.request(exchange.rule.name(), status, elapsedNanos);
    DownstreamSide downstream = exchange.downstream;
    boolean keepAlive = exchange.clientKeepAlive;
    if (downstream.http2() && !requestComplete && lastWrite != null) {
      lastWrite.addListener(f -> downstream.exchangeFinished(false, keepAlive));
    } else {
      downstream.exchangeFinished(requestComplete, keepAlive);
    }
  }

  /**
   * Answers locally instead of the upstream (nothing of a response went downstream yet): recorded
   * once written, then the downstream told whether its connection may serve on.
   */
  private void answer(Ending why, boolean requestComplete, ExchangeTimers timers) {
    HttpResponseStatus answer = requireNonNull(why.status());
    String sentence = requireNonNull(why.reason());
    String location = why.location();
    DownstreamSide downstream = exchange.downstream;
    log.debug("{} {}: {} {}", exchange.head.method(), exchange.head.uri(), answer.code(), sentence);
    boolean keepAlive = exchange.clientKeepAlive && requestComplete && !downstream.stopping();
    boolean close = !keepAlive && !downstream.http2();
    FullHttpResponse local =
        why.termination().cause() == Cause.CORS_PREFLIGHT
            ? LocalResponses.empty(answer, close)
            : LocalResponses.of(downstream.alloc(), answer, sentence, close);
    why.fields().writeTo(local.headers()::add);
    if (location != null) {
      local.headers().set(HttpHeaderNames.LOCATION, location);
    }
    if (why.retryAfterSeconds() > 0) {
      local.headers().set(HttpHeaderNames.RETRY_AFTER, why.retryAfterSeconds());
    }
    exchange.record.responseStarted(answer.code());
    exchange.record.responseBytes(local.content().readableBytes());
    downstream
        .write(local)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  exchange.metrics.request(exchange.rule.name(), answer.code(), timers.elapsed());
                  downstream.exchangeFinished(requestComplete, keepAlive);
                });
  }

  private void write(HttpObject msg) {
    lastWrite = exchange.downstream.write(msg);
    lastWrite.addListener(writeDone);
    // The next object is read while the write is still queued: what arrived in one socket read
    // (a head and its body) leaves in one flush. Not writable: the writability change resumes.
    if (!complete && !exchange.done() && exchange.downstream.isWritable()) {
      exchange.leased().read();
    }
  }
}
