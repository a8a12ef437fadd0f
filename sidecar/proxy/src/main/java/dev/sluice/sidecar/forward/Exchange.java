package dev.sluice.sidecar.forward;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.Route;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.offload.OffloadPlan;
import dev.sluice.sidecar.offload.PhaseOutcome;
import dev.sluice.sidecar.runtime.BoundRoute;
import dev.sluice.sidecar.timer.Ticker;
import dev.sluice.sidecar.upstream.StreamResetException;
import dev.sluice.sidecar.upstream.UpstreamExchange;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response, relayed between a downstream side (an HTTP/1.1 connection or an
 * HTTP/2 stream) and an upstream lease, as a state machine: a {@link Phase} that every event moves
 * on, and one ending, {@link #end}, that releases, counts and records exactly once. The request's
 * way up is {@link RequestRelay}, the response's way down {@link ResponseRelay}, the offload and
 * variable actions {@link ExchangeOffload}, refused streams {@link RequestAttempt}, the timeouts
 * {@link ExchangeTimers}.
 *
 * <p>Both sides carry Netty HttpObjects; the HTTP/2 codecs at either end turn a last content into
 * END_STREAM, so a stream ends exactly once: on HEADERS for a bodyless message (sent as a full
 * message), on the DATA frame of the last content, or on trailers. Each side reads only when asked
 * (backpressure both ways). Event-loop confined: the downstream, the lease and every timer run on
 * the same event loop.
 */
public final class Exchange implements UpstreamExchange {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  final DownstreamSide downstream;
  final BoundRoute route;
  final Route config;
  final HttpRequest head;
  final ProxyMetrics metrics;
  final EventLoop loop;
  final boolean bodyless;
  final boolean clientKeepAlive;
  private final ExchangeTimers timers;
  private final RequestRelay request;
  private final ResponseRelay response;
  private final ExchangeOffload offload;
  private final RequestAttempt attempt;
  private Phase phase = Phase.ACQUIRING;

  public Exchange(
      DownstreamSide downstream, BoundRoute route, HttpRequest head, ProxyMetrics metrics) {
    this(downstream, route, head, metrics, Ticker.SYSTEM);
  }

  Exchange(
      DownstreamSide downstream,
      BoundRoute route,
      HttpRequest head,
      ProxyMetrics metrics,
      Ticker ticker) {
    this.downstream = downstream;
    this.route = route;
    this.config = route.config();
    this.head = head;
    this.metrics = metrics;
    this.loop = downstream.eventLoop();
    this.bodyless = RequestFraming.bodyless(head);
    this.clientKeepAlive = downstream.http2() || HttpUtil.isKeepAlive(head);
    this.request = new RequestRelay(this, bodyless);
    this.response = new ResponseRelay(this);
    this.attempt = new RequestAttempt(this);
    this.offload = new ExchangeOffload(this, route.offload());
    this.timers = new ExchangeTimers(ticker, loop, config.timeouts(), route.name(), this::timedOut);
  }

  /** Checks limits, answers {@code 100 Continue}, then the request phase or a lease. */
  public void start() {
    Long limit = config.maxRequestBodyBytes();
    long declared = limit == null ? -1L : RequestFraming.declaredLength(head);
    if (limit != null && declared > limit) {
      answer(
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "request body of "
              + declared
              + " bytes exceeds maxRequestBodyBytes "
              + limit
              + " of route "
              + route.name());
      return;
    }
    if (!bodyless && RequestFraming.expectsContinue(head)) {
      // Answered here: the upstream sees no Expect (hop-by-hop), and the body follows at once.
      // A failed write means the client is gone, which the downstream reports itself.
      ChannelFuture unused =
          downstream.write(
              new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    }
    timers.armIdle();
    if (offload.has(OffloadPlan.Phase.REQUEST)) {
      phase = Phase.OFFLOAD_REQUEST;
      offload.startRequestPhase();
    } else {
      afterRequestPhase(PhaseOutcome.CONTINUE);
    }
  }

  /** The request phase's outcome (or none): a deny answers, anything else asks for a lease. */
  void afterRequestPhase(PhaseOutcome outcome) {
    if (phase == Phase.DONE) {
      return;
    }
    PhaseOutcome decided = offload.withDenyActions(outcome);
    if (decided.denied()) {
      answer(HttpResponseStatus.valueOf(decided.denyStatus()), decided.reason());
      return;
    }
    acquire();
  }

  private void acquire() {
    phase = Phase.ACQUIRING;
    attempt.acquire();
  }

  /** No lease could be had: 503, unless the exchange ended meanwhile. */
  void noLease(Throwable cause) {
    if (phase != Phase.DONE) {
      metrics.upstreamError(route.name(), "connect");
      answer(
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "no connection to the upstream of route " + route.name() + ": " + Causes.describe(cause));
    }
  }

  /** A lease for the exchange (not ended): the request goes upstream. */
  void leased(UpstreamLease lease) {
    phase = Phase.FORWARDING;
    lease.bind(this);
    log.debug("{} {} -> {} via {}", head.method(), head.uri(), route.name(), lease);
    request.start(lease);
  }

  /** A request body object from downstream (ownership passes here). */
  public void onRequestContent(HttpContent content) {
    if (phase == Phase.DONE || (bodyless && request.complete())) {
      // A bodyless request was sent as a full message; an empty END_STREAM DATA frame (HTTP/2
      // with content-length 0) adds nothing.
      content.release();
      return;
    }
    timers.touch();
    Ending refused = request.onContent(content, phase);
    if (refused != null) {
      // onContent refuses with Ending.answered(): status and sentence.
      answer(requireNonNull(refused.status()), requireNonNull(refused.reason()));
    }
  }

  /** The whole request went upstream: the request timeout starts (once). */
  void requestSent() {
    if (phase != Phase.DONE) {
      timers.armRequestOnce();
    }
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    log.trace("upstream writable {}", writable);
    if (writable && !request.complete() && phase != Phase.DONE && lease() != null) {
      downstream.readRequest();
    }
  }

  /** The downstream side became writable again: resume reading the response. */
  public void onDownstreamWritable() {
    if (phase == Phase.RESPONDING && !response.complete()) {
      leased().read();
    }
  }

  @Override
  public void onResponseObject(HttpObject msg) {
    if (log.isTraceEnabled()) {
      log.trace("response object {} ({})", msg.getClass().getSimpleName(), phase);
    }
    if (phase == Phase.DONE) {
      ReferenceCountUtil.release(msg);
      return;
    }
    timers.touch();
    if (msg.decoderResult().isFailure()) {
      onMalformedResponse(msg);
      return;
    }
    if (msg instanceof HttpResponse head) {
      if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        // 1xx from upstream (100, 103): not relayed; 100 Continue was answered locally.
        ReferenceCountUtil.release(msg);
        leased().read();
        return;
      }
      timers.cancelRequest();
      if (offload.has(OffloadPlan.Phase.RESPONSE)) {
        phase = Phase.OFFLOAD_RESPONSE;
        offload.holdForResponsePhase(head);
        return;
      }
      startResponse(head);
    } else if (msg instanceof HttpContent content) {
      if (!phase.responseStarted()) {
        content.release();
        abort("upstream sent body before a response head");
        return;
      }
      response.content(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
    endIfResponded();
  }

  /**
   * Ends the exchange once the response's last object went downstream, unless it ended already (a
   * read the write asked for may have delivered and finished the response re-entrantly).
   */
  private void endIfResponded() {
    if (response.complete() && phase != Phase.DONE) {
      end(Ending.COMPLETED);
    }
  }

  /** The response phase's outcome for the held {@code head} (ownership passes; may be null). */
  void afterResponsePhase(PhaseOutcome outcome, @Nullable HttpResponse head) {
    if (phase == Phase.DONE || head == null) {
      ReferenceCountUtil.release(head);
      return;
    }
    PhaseOutcome decided = offload.withDenyActions(outcome);
    if (decided.denied()) {
      ReferenceCountUtil.release(head);
      answer(HttpResponseStatus.valueOf(decided.denyStatus()), decided.reason());
      return;
    }
    startResponse(head);
    endIfResponded();
  }

  private void startResponse(HttpResponse head) {
    phase = Phase.RESPONDING;
    response.start(head, request.complete());
  }

  /**
   * The upstream's response could not be read (a bad status line or field, bad chunk framing): 502
   * when nothing was sent downstream yet, else the downstream is cut, never ended as if complete.
   */
  private void onMalformedResponse(HttpObject msg) {
    Throwable cause = msg.decoderResult().cause();
    ReferenceCountUtil.release(msg);
    metrics.upstreamError(route.name(), "malformed");
    answer(
        HttpResponseStatus.BAD_GATEWAY,
        "the upstream of route "
            + route.name()
            + " sent a malformed response: "
            + Causes.framing(cause));
  }

  @Override
  public void onUpstreamClosed(Throwable cause) {
    if (phase == Phase.DONE) {
      return;
    }
    if (attempt.retry(cause, phase, request.untouched())) {
      // Never processed upstream and nothing of the body consumed: send it again elsewhere.
      log.debug(
          "{} {}: {}; trying another connection", head.method(), head.uri(), cause.getMessage());
      metrics.upstreamError(route.name(), "refused");
      acquire();
      return;
    }
    metrics.upstreamError(route.name(), "closed");
    if (phase.responseStarted()
        && cause instanceof StreamResetException reset
        && reset.cancelled()) {
      end(Ending.cancelled("the upstream of route " + route.name() + " cancelled the stream"));
      return;
    }
    answer(
        HttpResponseStatus.BAD_GATEWAY,
        "the upstream of route "
            + route.name()
            + " closed the exchange before responding: "
            + Causes.describe(cause));
  }

  /** The client went away or reset the stream. */
  public void onDownstreamClosed() {
    if (phase != Phase.DONE) {
      end(Ending.DOWNSTREAM_CLOSED);
    }
  }

  /**
   * Answers locally with {@code status} and {@code sentence}; once the response has started there
   * is no answering any more, and the exchange is cut instead.
   */
  private void answer(HttpResponseStatus status, String sentence) {
    if (phase == Phase.DONE) {
      return;
    }
    end(phase.responseStarted() ? Ending.aborted(sentence) : Ending.answered(status, sentence));
  }

  private void abort(String why) {
    if (phase != Phase.DONE) {
      end(Ending.aborted(why));
    }
  }

  /**
   * The one way an exchange ends: timers cancelled, queued body and held head released, the lease
   * given back (reusable only after a clean completion), the request counted out of its generation,
   * then what the downstream is told and what is recorded.
   */
  private void end(Ending why) {
    Phase ended = phase;
    phase = Phase.DONE;
    timers.cancel();
    request.releasePending();
    offload.releaseHeld();
    attempt.release(why.kind() == Ending.Kind.COMPLETED && response.reusable(request.complete()));
    route.inFlight().ended(why.kind().completed);
    if (why.kind().streamEnded != null) {
      metrics.streamEnded("downstream", why.kind().streamEnded);
    }
    switch (why.kind()) {
      case COMPLETED -> response.finished(request.complete(), timers.elapsed());
      case ANSWERED -> // answered() gives both
          response.answer(
              requireNonNull(why.status()),
              requireNonNull(why.reason()),
              request.complete(),
              timers);
      case ABORTED -> {
        log.debug("{} {} aborted ({}): {}", head.method(), head.uri(), ended, why.reason());
        downstream.abort();
      }
      case CANCELLED -> {
        log.debug("{} {} cancelled ({}): {}", head.method(), head.uri(), ended, why.reason());
        downstream.cancel();
      }
      case DOWNSTREAM_CLOSED ->
          log.trace("{} {}: client gone ({})", head.method(), head.uri(), ended);
    }
  }

  /**
   * A timeout ran out ({@code kind}: {@code timeout} for the request's, {@code idle}): a 504 saying
   * so, or the exchange cut when the response has started. The request timeout no longer applies
   * once it has.
   */
  void timedOut(String kind, String sentence) {
    if (phase == Phase.DONE || (kind.equals("timeout") && phase.responseStarted())) {
      return;
    }
    metrics.upstreamError(route.name(), kind);
    answer(HttpResponseStatus.GATEWAY_TIMEOUT, sentence);
  }

  @Nullable UpstreamLease lease() {
    return attempt.lease();
  }

  /** The lease, where there must be one: forwarding the request, or relaying its response. */
  UpstreamLease leased() {
    return requireNonNull(attempt.lease(), "no upstream lease");
  }

  boolean done() {
    return phase == Phase.DONE;
  }

  RequestRelay request() {
    return request;
  }

  ExchangeOffload offload() {
    return offload;
  }
}
